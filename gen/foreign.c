/*
** foreign.c: which other migration tool wrote a file. A goose, dbmate or
** sql-migrate file keeps its Up and Down sections in one file, and migc
** would run both as one up migration; golang-migrate's 1_x.up.sql would
** become a migration named "x.up". In migc's own layout load.c refuses
** them through this file, the one place that knows them; the refusal of
** a goose, dbmate, sql-migrate, golang-migrate or sqlx file names the
** --layout that reads it
** (gen/sections.c).
**
** Section markers, looked for on every line (inside strings and block
** comments too, as the tools themselves read lines), each a little looser
** than its tool (leading blanks, any case): a near miss was still written
** for that tool, and must not run as migc's.
**   goose (pressly.github.io/goose/reference/annotations, and
**     internal/sqlparser/parser.go, which trims blanks after "--"):
**     annotations are case-insensitive "-- +goose Up|Down|StatementBegin|
**     StatementEnd|NO TRANSACTION|ENVSUB ON|OFF" lines. Taken: blanks,
**     "--", blanks, "+goose" in any case, then a blank or the line's end.
**   dbmate (pkg/dbmate/migration.go, ^--\s*migrate:up(\s*$|\s+\S+), the
**     same for migrate:down; options such as transaction:false follow).
**     Taken: blanks, "--", blanks, "migrate:up" or "migrate:down", then a
**     blank or the end.
**   sql-migrate (sqlparse/sqlparse.go: a line "-- +migrate " and a
**     command, Up, Down, StatementBegin or StatementEnd, options after it).
**   sqlx (sqlx-core migrate/migration.rs): a file that starts with
**     "-- no-transaction" runs outside a transaction.
**     Taken: blanks, "--", blanks, "+migrate", blanks, one of the four
**     commands, then a blank or the end.
** File names:
**   golang-migrate (source/parse.go, ^([0-9]+)_(.*)\.(down|up)\.(.*)$), and
**     sqlx's reversible layout: NNNN_name.up.sql beside NNNN_name.down.sql.
**   Flyway (documentation, "Migrations"): V<version>__<description>.sql
**     versioned, U<version>__ undo, R__<description>.sql repeatable; the
**     version's parts are separated by '.' or '_', both read as dots.
**   refinery (refinery_core util.rs, ^([U|V])(\d+(?:\.\d+)?)__(\w+)\.sql$):
**     V versioned, U unversioned.
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"
#include "diag.h"
#include "names.h"
#include "foreign.h"

/* How much of a marker line a message quotes. */
#define MAXQUOTE 80

/* The ends of the refusals of a Flyway or refinery name. */
#define FLYWAYHINT "; or read the directory as Flyway's, as it is: --layout flyway (or convert it once: " \
	"migc import --layout flyway)"
#define FLYHINT "; or read the directory as Flyway's or refinery's, as it is: --layout flyway or refinery (or " \
	"convert it once: migc import --layout flyway or refinery)"

/* The end of the refusal of a golang-migrate or sqlx name. */
#define PAIRHINT "; or read the directory as golang-migrate's or sqlx's, as it is: --layout golang-migrate or " \
	"sqlx (or convert it once: migc import --layout golang-migrate or sqlx)"

enum tool { TOOL_NONE, TOOL_GOOSE, TOOL_DBMATE, TOOL_SQLMIGRATE };

static const struct {
	const char *name;
	const char *lines;      /* how its marker lines start, for "without the ... lines" */
	const char *layout;     /* the end of the message when migc reads its layout (gen/sections.c) */
} tools[] = {
	{ "", "", NULL },
	{ "goose", "-- +goose", "; or read the directory as goose's, as it is: --layout goose (or convert it once: "
	  "migc import --layout goose)" },
	{ "dbmate", "-- migrate:", "; or read the directory as dbmate's, as it is: --layout dbmate (or convert it once: "
	  "migc import --layout dbmate)" },
	{ "sql-migrate", "-- +migrate", "; or read the directory as sql-migrate's, as it is: --layout sql-migrate "
	  "(or convert it once: migc import --layout sql-migrate)" },
};

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The length of w (lower-case) when s[0..n) starts with it in any case,
** followed by a blank or the end; else 0. */
static size_t
word(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	if (n < k)
		return 0;
	for (i = 0; i < k; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return 0;
	if (k < n && !blank(s[k]))
		return 0;
	return k;
}

static size_t
skipblanks(const char *s, size_t i, size_t n)
{
	while (i < n && blank(s[i]))
		i++;
	return i;
}

/* The tool whose marker s[0..n), a line from its "--" on, is; *isdown
** tells a marker that opens the Down section. */
static enum tool
marker(const char *s, size_t n, int *isdown)
{
	size_t i = skipblanks(s, 2, n), k;

	*isdown = 0;
	if ((k = word(s + i, n - i, "+goose")) != 0) {
		i = skipblanks(s, i + k, n);
		*isdown = word(s + i, n - i, "down") != 0;
		return TOOL_GOOSE;
	}
	if (word(s + i, n - i, "migrate:up"))
		return TOOL_DBMATE;
	if (word(s + i, n - i, "migrate:down")) {
		*isdown = 1;
		return TOOL_DBMATE;
	}
	if ((k = word(s + i, n - i, "+migrate")) != 0) {
		i = skipblanks(s, i + k, n);
		*isdown = word(s + i, n - i, "down") != 0;
		if (*isdown || word(s + i, n - i, "up") || word(s + i, n - i, "statementbegin") ||
		    word(s + i, n - i, "statementend"))
			return TOOL_SQLMIGRATE;
	}
	return TOOL_NONE;
}

int
foreigntext(const char *path, const char *file, const char *text, size_t len, int sqlx, struct diags *d)
{
	unsigned long line = 1, first = 0, down = 0, col = 0;
	size_t i = 0, mark = 0, marklen = 0, base;
	enum tool t = TOOL_NONE;
	const char *hint, *up = ".sql";
	int indown = 0;

	if (!sqlx && len >= 17 && memcmp(text, "-- no-transaction", 17) == 0) {
		diagerror(d, path, 1, 1, "is a sqlx migration run outside a transaction (-- no-transaction): migc would "
		          "run it in one; add -- migc:no-transaction, or read the directory as sqlx's, as it is: "
		          "--layout sqlx (or convert it once: migc import --layout sqlx)");
		return 1;
	}
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t eol = nl ? (size_t)(nl - text) : len, p;
		enum tool u;
		int isdown;

		p = skipblanks(text, i, eol);
		if (eol - p >= 2 && text[p] == '-' && text[p + 1] == '-' &&
		    (u = marker(text + p, eol - p, &isdown)) != TOOL_NONE) {
			if (t == TOOL_NONE) {
				t = u;
				first = line;
				col = (unsigned long)(p - i) + 1;
				mark = p;
				marklen = eol - p;
				while (marklen > 0 && blank(text[mark + marklen - 1]))
					marklen--;
				if (marklen > MAXQUOTE)
					marklen = MAXQUOTE;
			}
			if (u == t && isdown && !down)
				down = line;
		}
		i = eol + 1;
		line++;
	}
	if (t == TOOL_NONE)
		return 0;
	hint = tools[t].layout ? tools[t].layout : "";
	base = strlen(file);
	if (base >= 4 && strcmp(file + base - 4, ".sql") == 0)
		base -= 4;
	if (base >= 5 && memcmp(file + base - 5, ".down", 5) == 0) {
		base -= 5;
		indown = 1;
	} else if (base >= 3 && memcmp(file + base - 3, ".up", 3) == 0) {
		base -= 3;      /* golang-migrate's or sqlx's layout, which has NNNN_name.up.sql */
		up = ".up.sql";
	}
	if (indown)
		diagerror(d, path, first, col, "is a %s migration (%.*s at line %lu): migc runs the whole file as one down "
		          "migration; keep only the Down section in %.*s.down.sql (the Up section goes in %.*s%s), "
		          "without the %s lines%s", tools[t].name, (int)marklen, text + mark, first, (int)base, file,
		          (int)base, file, up, tools[t].lines, hint);
	else if (down)
		diagerror(d, path, first, col, "is a %s migration (%.*s at line %lu): migc runs the whole file as one up "
		          "migration; split it into %.*s%s (the Up section) and %.*s.down.sql (the Down section, from "
		          "line %lu), without the %s lines%s", tools[t].name, (int)marklen, text + mark, first,
		          (int)base, file, up, (int)base, file, down, tools[t].lines, hint);
	else
		diagerror(d, path, first, col, "is a %s migration (%.*s at line %lu): migc runs the whole file as one up "
		          "migration; keep the Up section in %.*s%s, without the %s lines (a down migration goes in "
		          "%.*s.down.sql)%s", tools[t].name, (int)marklen, text + mark, first, (int)base, file, up,
		          tools[t].lines, (int)base, file, hint);
	return 1;
}

/* Whether the sorted names[0..n) hold s. */
static int
hasname(char *const *names, size_t n, const char *s)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(names[mid], s);

		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The first of the sorted names[0..n) that starts with prefix, or NULL. */
static const char *
firstwith(char *const *names, size_t n, const char *prefix)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(names[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strncmp(names[lo], prefix, strlen(prefix)) == 0 ? names[lo] : NULL;
}

/* A golang-migrate name: digits, '_', a name, ".up.sql" or ".down.sql".
** *stem is the length before ".up"/".down", *name where the name starts. */
static int
gomigrate(const char *file, size_t *stem, size_t *name, int *isdown)
{
	size_t n = strlen(file), i = 0;

	while (digit(file[i]))
		i++;
	if (i == 0 || file[i] != '_')
		return 0;
	*name = i + 1;
	if (n - *name >= 7 && strcmp(file + n - 7, ".up.sql") == 0) {
		*isdown = 0;
		*stem = n - 7;
		return 1;
	}
	if (n - *name >= 9 && strcmp(file + n - 9, ".down.sql") == 0) {
		*isdown = 1;
		*stem = n - 9;
		return 1;
	}
	return 0;
}

/* The version as Flyway reads it: '_' as '.'. */
static void
putversion(struct buf *b, const struct flyname *f)
{
	size_t k;

	for (k = 0; k < f->verlen; k++)
		bufputc(b, f->ver[k] == '_' ? '.' : f->ver[k]);
	bufputc(b, '\0');
}

/* A migc name for a description: characters migc's names lack become
** '_'; an empty one is NAME. */
static void
putname(struct buf *b, const char *desc, size_t len)
{
	size_t k;

	if (len == 0)
		bufputs(b, "NAME");
	for (k = 0; k < len; k++) {
		int c = (unsigned char)desc[k];

		bufputc(b, digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		           c == '-' || c == '.' ? c : '_');
	}
	bufputc(b, '\0');
}

/* The version as a migc version prefix: an integer padded to four digits,
** else NNNN. */
static void
putnumber(struct buf *b, const struct flyname *f)
{
	size_t k;

	if (!f->integer) {
		bufputs(b, "NNNN");
	} else {
		for (k = f->verlen; k < 4; k++)
			bufputc(b, '0');
		bufadd(b, f->ver, f->verlen);
	}
	bufputc(b, '\0');
}

static void
flywayerror(const char *path, const struct flyname *f, char *const *names, size_t n, struct diags *d)
{
	struct buf ver = {0}, name = {0}, num = {0}, prefix = {0}, downname = {0};
	struct flyname up;
	const char *sibling;

	putversion(&ver, f);
	putname(&name, f->desc, f->desclen);
	putnumber(&num, f);
	if (f->kind == 'R') {
		diagerror(d, path, 0, 0, "is a repeatable migration (Flyway's R__ convention), run again whenever it "
		          "changes, which migc reads in its own layout and in Flyway's, not in this one: move it to a "
		          "directory of those, or put its statements in a numbered migration (NNNN_%s.sql)", name.data);
	} else if (f->kind == 'V' && f->integer) {
		diagerror(d, path, 0, 0, "is a %s versioned migration (version %s): rename it to %s_%s.sql%s",
		          f->refinery ? "Flyway or refinery" : "Flyway", ver.data, num.data, name.data,
		          f->refinery ? FLYHINT : FLYWAYHINT);
	} else if (f->kind == 'V') {
		diagerror(d, path, 0, 0, "is a %s versioned migration (version %s): migc versions are whole numbers; rename "
		          "it to NNNN_%s.sql, numbered to keep version %s's place in the order; or read the directory as "
		          "Flyway's, its dotted versions mapped to whole numbers: --layout flyway-dotted",
		          f->refinery ? "Flyway or refinery" : "Flyway", ver.data, name.data, ver.data);
	} else {
		/* A down migration takes its up migration's name: the V file's. */
		bufputc(&prefix, 'V');
		bufadd(&prefix, f->ver, f->verlen);
		bufputs(&prefix, "__");
		bufputc(&prefix, '\0');
		sibling = firstwith(names, n, prefix.data);
		if (sibling && flywayname(sibling, &up))
			putname(&downname, up.desc, up.desclen);
		else
			putname(&downname, f->desc, f->desclen);
		if (f->refinery)
			diagerror(d, path, 0, 0, "is a Flyway undo migration (version %s), or a refinery unversioned one: as "
			          "Flyway's undo it becomes the down migration %s_%s.down.sql; as refinery's, a migration of "
			          "its own, NNNN_%s.sql%s", ver.data, num.data, downname.data, name.data, FLYHINT);
		else
			diagerror(d, path, 0, 0, "is a Flyway undo migration (version %s): it becomes the down migration "
			          "%s_%s.down.sql%s", ver.data, num.data, downname.data, FLYWAYHINT);
	}
	buffree(&ver);
	buffree(&name);
	buffree(&num);
	buffree(&prefix);
	buffree(&downname);
}

int
foreignname(const char *path, const char *file, char *const *names, size_t n, int pairs, struct diags *d)
{
	struct buf other = {0};
	struct flyname f;
	size_t stem, name;
	int isdown, paired;

	if (flywayname(file, &f)) {
		flywayerror(path, &f, names, n, d);
		return 1;
	}
	if (pairs || !gomigrate(file, &stem, &name, &isdown))
		return 0;
	bufadd(&other, file, stem);
	bufputs(&other, isdown ? ".up.sql" : ".down.sql");
	bufputc(&other, '\0');
	paired = hasname(names, n, other.data);
	buffree(&other);
	if (isdown && !paired)
		return 0;
	if (isdown)
		diagerror(d, path, 0, 0, "is the down half of the golang-migrate (or sqlx) pair %.*s.up.sql: it keeps its "
		          "name once that file is renamed to %.*s.sql%s", (int)stem, file, (int)stem, file, PAIRHINT);
	else if (paired)
		diagerror(d, path, 0, 0, "is a golang-migrate (or sqlx) up migration: migc would read it as migration "
		          "'%.*s.up'; rename it to %.*s%s.sql (its down file %.*s.down.sql keeps its name)%s",
		          (int)(stem - name), file + name, (int)stem, file, stem > name ? "" : "NAME", (int)stem, file,
		          PAIRHINT);
	else
		diagerror(d, path, 0, 0, "is a golang-migrate (or sqlx) up migration: migc would read it as migration "
		          "'%.*s.up'; rename it to %.*s%s.sql%s", (int)(stem - name), file + name, (int)stem, file,
		          stem > name ? "" : "NAME", PAIRHINT);
	return 1;
}
