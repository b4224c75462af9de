/*
** load.c: read a directory of migration files into a struct migc_set.
** File names give versions (gen/names.c), the leading comment block gives
** directives (gen/directives.c), the scanner gives statements, and
** gen/check.c what they may hold; this file pairs up and down files, reads
** each one, and reports every problem with its path:line:col. Another
** tool's files (gen/foreign.c) are refused before any of that.
*/
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "text.h"
#include "diag.h"
#include "names.h"
#include "checksum.h"
#include "directives.h"
#include "check.h"
#include "sqltok.h"
#include "foreign.h"
#include "layout.h"
#include "marks.h"
#include "sections.h"
#include "load.h"

/* The largest migration file read. Past this the generated C would take
** minutes to compile; bulk data belongs in COPY or the application. */
#define MAXFILE (64L * 1024 * 1024)

/* One file found in the directory. */
struct entry {
	char *file;
	int64_t version;
	char *name;
	int isdown;
	int reversible;         /* sqlx: NNNN_name.up.sql or .down.sql, not NNNN_name.sql */
};

static int
entrycmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	if (x->isdown != y->isdown)
		return x->isdown - y->isdown;
	return strcmp(x->file, y->file);
}

/* Where text[0..len) first breaks UTF-8 (overlong forms, surrogates and
** code points past U+10FFFF included), as 1-based line and byte column;
** 0 when it is all valid. */
static int
badutf8(const char *text, size_t len, unsigned long *line, unsigned long *col)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < len) {
		unsigned c, n, cp, k;
		uint64_t w;

		/* ASCII, most of any file, eight bytes at a time. */
		while (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i == len)
			break;
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0;
		cp = c & (0x3F >> n);
		for (k = 1; n && k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				break;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (n == 0 || c > 0xF4 || k <= n || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			textpos(text, i, line, col);
			return 1;
		}
		i += n + 1;
	}
	return 0;
}

/*
** Read the file at path: its canonical text (malloc'd, *len bytes), and in
** *raw the *rawlen bytes it came from, for checksums: the text itself when
** canonicalising changes nothing (no byte-order mark, no CR), else a
** buffer of its own, which freeraw() frees (and the text never). Returns NULL, with the
** problem on d, when it cannot be read.
*/
static char *
readtext(const char *path, enum dialect dialect, size_t *len, char **raw, size_t *rawlen, struct diags *d)
{
	char *text;
	unsigned long line, col;
	struct stat st;
	int found = stat(path, &st) == 0;

	if (found && !S_ISREG(st.st_mode)) {
		diagerror(d, path, 0, 0, "not a regular file");
		return NULL;
	}
	if (found && st.st_size > MAXFILE) {
		diagerror(d, path, 0, 0, "is %lld bytes: a migration may be at most %ld MiB (split it, or load bulk data "
		          "with COPY or from the application)", (long long)st.st_size, MAXFILE / (1024 * 1024));
		return NULL;
	}
	if (readfile(path, raw, rawlen) != 0) {
		diagerror(d, path, 0, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (iscanonical(*raw, *rawlen)) {
		text = *raw;
		*len = *rawlen;
	} else {
		text = canonicalize(*raw, *rawlen, len);
	}
	if (badutf8(text, *len, &line, &col)) {
		if (dialect == DIALECT_POSTGRES)
			diagerror(d, path, line, col, "invalid UTF-8: PostgreSQL would refuse it (save the file as UTF-8)");
		else if (dialect == DIALECT_SQLITE)
			diagwarn(d, path, line, col, "invalid UTF-8: SQLite will store these bytes as they are");
	}
	return text;
}

/* Free what readtext() left in *raw beside text. */
static void
freeraw(char *raw, const char *text)
{
	if (raw != text)
		free(raw);
}

/*
** Another tool sends a file's bytes as they are, where migc embeds its
** canonical text (LF line endings, no byte-order mark): a file of another
** layout with a CR or a byte-order mark would run otherwise under migc
** (a CR in a string, a lone CR that ends a comment for migc and not for
** the database, a mark the tool does not see after a BOM). Each is an
** error, at the first CR.
*/
static int
rawchecks(const char *path, const char *raw, size_t rawlen, enum layout layout, struct diags *d)
{
	const char *cr = memchr(raw, '\r', rawlen);
	unsigned long line = 1, col;
	size_t at;

	if (layout == LAYOUT_MIGC)
		return 0;
	if (rawlen >= 3 && memcmp(raw, "\357\273\277", 3) == 0) {
		diagerror(d, path, 1, 1, "starts with a byte-order mark, which the tool sends (or reads) as it is and migc "
		          "leaves out: save the file as UTF-8 without one");
		return -1;
	}
	if (!cr)
		return 0;
	at = (size_t)(cr - raw);
	migc__place(raw, 0, at, 0, &line, &col);
	diagerror(d, path, line, col, "a CR byte (%s): the tool sends it as it is, and migc embeds LF line endings, so "
	          "the SQL would differ (convert the file to LF line endings; in git, *.sql text eol=lf)",
	          at + 1 < rawlen && raw[at + 1] == '\n' ? "a CRLF line ending" : "a lone CR");
	return -1;
}

/*
** Split sc->sql (set, with sc->length) into sc's statements and read its
** directives. It is a section of the file at path that starts at byte
** base, on line line0 + 1; sec, when not NULL, the sections of the single
** file it is part of (gen/sections.h). flags are the layout's for it.
** DIALECT_NONE reads directives without splitting statements.
*/
static void
cutscript(const char *path, struct migc_script *sc, size_t base, unsigned long line0, const struct sections *sec,
          unsigned flags, enum dialect dialect, enum layout layout, int isup, struct directives *dv, struct diags *d)
{
	const char *text = sc->sql;
	size_t len = sc->length, nstmts = 0, first = 0, i;
	struct stmt *stmts = NULL;
	struct migc_stmt *out;
	struct scanerr err;

	if (dialect == DIALECT_NONE) {
		readdirectives(path, text, leadingend(text, len), dialect, dv, d);
		sc->flags = dv->flags | flags;
		sc->lock_timeout_ms = dv->lock_timeout_ms;
		return;
	}
	if (scansql(dialect, text, len, &stmts, &nstmts, &err) != 0) {
		if (sec && isup && sec->downline && strstr(err.msg, "unterminated"))
			diagerror(d, path, err.line, err.col, "%s (the up section ends before line %lu, the \"%s\" line, "
			          "which %s reads as its mark even inside a string or a comment)", err.msg, sec->downline,
			          marknames(sec->layout)->down, marknames(sec->layout)->tool);
		else
			diagerror(d, path, line0 + err.line, err.col, "%s", err.msg);
		return;
	}
	for (i = 0; i < nstmts; i++)
		stmts[i].line += line0;
	if (sec) {
		checkmarks(path, sec, base, stmts, nstmts, d);
		checksplits(path, sec, text, len, base, line0, stmts, nstmts, d);
	}
	readdirectives(path, text, nstmts ? stmts[0].off : len, dialect, dv, d);
	/* Flyway runs a file outside a transaction when all of it must be;
	** golang-migrate sends a PostgreSQL file as one string outside a
	** transaction block, where one such statement alone runs as it must
	** (several are one implicit transaction, and are refused below). */
	if (flywaylike(layout) && allnotx(dialect, text, stmts, nstmts))
		flags |= MIGC_NO_TRANSACTION;
	if (layout == LAYOUT_GOLANGMIGRATE && dialect == DIALECT_POSTGRES && nstmts == 1 &&
	    allnotx(dialect, text, stmts, nstmts))
		flags |= MIGC_NO_TRANSACTION;
	sc->flags = dv->flags | flags;
	sc->lock_timeout_ms = dv->lock_timeout_ms;
	if (!isup && dv->naccept)
		diagerror(d, path, 0, 0, "migc:also-accept belongs in the up migration's file");
	if (!(sc->flags & MIGC_NO_TRANSACTION)) {
		unwrap(stmts, &first, &nstmts);
		checktx(path, text, dialect, notxhint(layout), stmts + first, nstmts, d);
		if (dialect == DIALECT_POSTGRES)
			checkenum(path, text, notxhint(layout), stmts + first, nstmts, d);
	}
	checksettings(path, text, dialect, stmts + first, nstmts, d);
	/* dbmate sends a section as one string: outside a transaction,
	** PostgreSQL runs several statements in it as one implicit one. */
	if (sec && sec->layout == LAYOUT_DBMATE && dialect == DIALECT_POSTGRES && (sc->flags & MIGC_NO_TRANSACTION) &&
	    nstmts > 1)
		diagerror(d, path, stmts[first + 1].line, stmts[first + 1].col, "a second statement in a transaction:false "
		          "section: dbmate sends the section as one string, which PostgreSQL runs as one implicit "
		          "transaction (a CREATE INDEX CONCURRENTLY in it fails there), and migc statement by statement "
		          "(give each statement a migration of its own)");
	/* Checked one by one above, each block then goes as one statement. */
	if (sec)
		joinblocks(path, sec, base, stmts + first, &nstmts, d);
	if (nstmts == 0 && isup)
		diagwarn(d, path, 0, 0, "no statements");
	out = xreallocarray(NULL, nstmts, sizeof(*out));
	for (i = 0; i < nstmts; i++) {
		out[i].offset = (unsigned long)stmts[first + i].off;
		out[i].length = (unsigned long)stmts[first + i].len;
		out[i].line = stmts[first + i].line;
	}
	sc->stmts = nstmts ? out : NULL;
	sc->nstmts = nstmts;
	if (!nstmts)
		free(out);
	free(stmts);
}

/*
** sqlx runs a file outside a transaction when its first bytes are "--
** no-transaction" (rawchecks refused a byte-order mark before them): its
** flags. The line anywhere else is refused, since sqlx then runs the file
** in a transaction.
*/
static unsigned
sqlxflags(const char *path, const char *text, size_t len, struct diags *d)
{
	static const char mark[] = "-- no-transaction";
	size_t k = sizeof(mark) - 1, i;
	unsigned long line = 1;

	for (i = 1; i + k <= len; i++) {
		if (text[i - 1] == '\n') {
			line++;
			if (memcmp(text + i, mark, k) == 0)
				diagerror(d, path, line, 1, "sqlx reads \"-- no-transaction\" only as the file's very first "
				          "bytes, and runs this file in a transaction (move the line to the top, or reword the "
				          "comment)");
		}
	}
	return len >= k && memcmp(text, mark, k) == 0 ? MIGC_NO_TRANSACTION : 0;
}

/* Flyway replaces ${name} placeholders in the SQL when it runs (it does
** by default); migc builds the SQL into the program, where nothing is
** replaced: each one is an error. */
static void
checkplaceholders(const char *path, const char *text, size_t len, struct diags *d)
{
	unsigned long line = 1, col;
	size_t i, from = 0, bol = 0;

	for (i = 0; i + 1 < len; i++) {
		if (text[i] != '$' || text[i + 1] != '{')
			continue;
		migc__place(text, from, i, bol, &line, &col);
		diagerror(d, path, line, col, "a Flyway placeholder: Flyway replaces ${...} when it runs, and migc builds "
		          "the SQL into the program, where nothing replaces it (write the value in the file)");
		from = i;
		bol = i - (col - 1);
	}
}

/*
** refinery runs a file outside a transaction when a line of it is "--"
** (or more dashes), at most one blank and refinery:noTransaction, and
** nothing after it (its find_migrations.rs regex): its flags. A line that
** comes close (another case, more blanks, something after it) is refused,
** since refinery would run that file in a transaction.
*/
static unsigned
refineryflags(const char *path, const char *text, size_t len, struct diags *d)
{
	unsigned long line = 1;
	unsigned flags = 0;
	size_t i = 0;

	while (i < len) {
		size_t eol = i;
		int k;

		while (eol < len && text[eol] != '\n')
			eol++;
		if ((k = refinerymark(text + i, eol - i)) == 1)
			flags = MIGC_NO_TRANSACTION;
		else if (k < 0)
			diagerror(d, path, line, 1, "refinery reads only \"-- refinery:noTransaction\" (dashes, at most "
			          "one blank, that case, nothing after it), and runs this file in a transaction (write "
			          "it so, or reword the comment)");
		i = eol + 1;
		line++;
	}
	return flags;
}

/* Read one file of migc's, golang-migrate's, sqlx's, Flyway's or refinery's layout into a
** script; for an up file (sum not NULL) also its checksums and the
** checksums it also accepts. */
static void
loadscript(const char *dir, const char *file, enum dialect dialect, enum layout layout, struct migc_script *sc,
           char *sum, char *rawsum, struct directives *dv, struct diags *d)
{
	char *path = joinpath(dir, file), *text, *raw = NULL;
	size_t len, rawlen;
	unsigned flags = 0;

	memset(sc, 0, sizeof(*sc));
	sc->file = xstrdup(file);
	text = readtext(path, dialect, &len, &raw, &rawlen, d);
	if (text && rawchecks(path, raw, rawlen, layout, d) != 0) {
		freeraw(raw, text);
		free(text);
		raw = text = NULL;
	}
	if (text && sum)
		filechecksums(raw, rawlen, text, len, sum, rawsum);
	if (text && layout == LAYOUT_SQLX)
		flags = sqlxflags(path, text, len, d);
	if (text && flywaylike(layout))
		checkplaceholders(path, text, len, d);
	if (text && layout == LAYOUT_REFINERY)
		flags = refineryflags(path, text, len, d);
	freeraw(raw, text);
	sc->sql = text ? text : xstrdup("");
	sc->length = text ? (unsigned long)len : 0;
	if (text && !foreigntext(path, file, text, len, layout == LAYOUT_SQLX, d))
		cutscript(path, sc, 0, 0, NULL, flags, dialect, layout, sum != NULL, dv, d);
	free(path);
}

/*
** Read a single-file migration (goose's, dbmate's or sql-migrate's) into
** its up and down scripts (the down one has no statements when the file
** has no down section). The checksums cover the up section, the text
** before the down mark's line, as a migc up file's cover the file.
*/
static void
loadsingle(const char *dir, const char *file, enum dialect dialect, enum layout layout, struct migc_migration *mig,
           char *sum, char *rawsum, struct directives *updv, struct directives *downdv, struct diags *d)
{
	char *path = joinpath(dir, file), *text, *raw = NULL;
	size_t len, rawlen;
	struct sections sec;

	memset(&mig->up, 0, sizeof(mig->up));
	memset(&mig->down, 0, sizeof(mig->down));
	mig->up.file = xstrdup(file);
	memset(&sec, 0, sizeof(sec));
	text = readtext(path, dialect, &len, &raw, &rawlen, d);
	if (!text || rawchecks(path, raw, rawlen, layout, d) != 0 || readsections(layout, path, text, len, &sec, d) != 0) {
		freesections(&sec);
		freeraw(raw, text);
		free(text);
		free(path);
		mig->up.sql = xstrdup("");
		return;
	}
	filechecksums(raw, rawlength(raw, rawlen, sec.upend), text, sec.upend, sum, rawsum);
	freeraw(raw, text);
	mig->up.sql = xmemdup(text, sec.upend);
	mig->up.length = (unsigned long)sec.upend;
	cutscript(path, &mig->up, 0, 0, &sec, sec.upnotx ? MIGC_NO_TRANSACTION : 0, dialect, layout, 1, updv, d);
	if (sec.downstart < len) {
		mig->down.file = xstrdup(file);
		mig->down.sql = xmemdup(text + sec.downstart, len - sec.downstart);
		mig->down.length = (unsigned long)(len - sec.downstart);
		cutscript(path, &mig->down, sec.downstart, sec.downline - 1, &sec, sec.downnotx ? MIGC_NO_TRANSACTION : 0,
		          dialect, layout, 0, downdv, d);
	}
	freesections(&sec);
	free(text);
	free(path);
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .sql names in dir not starting with '.' (with dots, those too; and
** the .sql.conf ones, with conf), sorted by strcmp so that diagnostics come in one order on
** every file system; *n of them. */
static char **
readnames(const char *dir, int conf, int dots, size_t *n, struct diags *d)
{
	char **names = NULL;
	struct dirent *de;
	size_t cap = 0;
	DIR *dp;

	*n = 0;
	dp = opendir(dir);
	if (!dp) {
		diagerror(d, dir, 0, 0, "cannot open migration directory: %s", strerror(errno));
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *f = de->d_name;
		size_t flen = strlen(f);

		if ((f[0] == '.' && (!dots || strcmp(f, ".") == 0 || strcmp(f, "..") == 0)) ||
		    ((flen < 4 || strcmp(f + flen - 4, ".sql") != 0) &&
		                    (!conf || flen < 9 || strcmp(f + flen - 9, ".sql.conf") != 0)))
			continue;
		names = xgrow(names, *n, &cap, sizeof(*names));
		names[(*n)++] = xstrdup(f);
	}
	closedir(dp);
	if (*n)
		qsort(names, *n, sizeof(*names), namecmp);
	return names;
}

/* dbmate applies its files in the order of their names, migc by version:
** e[0..n), sorted by version, must be in name order too. */
static void
checknameorder(const char *dir, const struct entry *e, size_t n, struct diags *d)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (strcmp(e[i - 1].file, e[i].file) > 0) {
			char *path = joinpath(dir, e[i - 1].file);

			diagerror(d, path, 0, 0, "dbmate applies files in the order of their names, which puts %s before "
			          "this one, and migc in the order of their versions, which puts this one first (give the "
			          "versions the same number of digits)", e[i].file);
			free(path);
		}
	}
}

/*
** golang-migrate's and sqlx's reversible up file is NNNN_name.up.sql:
** take the ".up" off name[0..*namelen) and mark x reversible, as its
** NNNN_name.down.sql is. golang-migrate reads no other kind of file.
** Returns -1, with the problem on d, for a name the layout refuses.
*/
static int
upname(const char *path, const char *f, enum layout layout, const char *name, size_t *namelen, struct entry *x,
       struct diags *d)
{
	x->reversible = x->isdown;
	if (!x->isdown && *namelen >= 3 && memcmp(name + *namelen - 3, ".up", 3) == 0) {
		*namelen -= 3;
		x->reversible = 1;
		if (*namelen == 0) {
			diagerror(d, path, 0, 0, "has no name between its version's '_' and .up.sql (migc needs one: "
			          "NNNN_name.up.sql)");
			return -1;
		}
	}
	if (!x->reversible && layout == LAYOUT_GOLANGMIGRATE) {
		diagerror(d, path, 0, 0, "is not a golang-migrate migration, which golang-migrate would skip: it reads "
		          "only NNNN_name.up.sql and NNNN_name.down.sql (rename it %.*s.up.sql)", (int)(strlen(f) - 4), f);
		return -1;
	}
	return 0;
}

/* sqlx's migrations are all simple (NNNN_name.sql) or all reversible
** (NNNN_name.up.sql, NNNN_name.down.sql): report each simple one of
** e[0..n) when there are both. */
static void
checksqlxkinds(const char *dir, const struct entry *e, size_t n, struct diags *d)
{
	size_t i, r;

	for (r = 0; r < n && !e[r].reversible; r++)
		;
	for (i = 0; r < n && i < n; i++) {
		if (!e[i].reversible) {
			char *path = joinpath(dir, e[i].file);

			diagerror(d, path, 0, 0, "is a simple sqlx migration beside reversible ones such as %s: sqlx's "
			          "migrations are all simple (NNNN_name.sql) or all reversible (NNNN_name.up.sql and "
			          "NNNN_name.down.sql)", e[r].file);
			free(path);
		}
	}
}

/* List the .sql files of dir, sorted by version, up before down. A file
** named after another tool's layout is reported and left out. The
** repeatable migrations (R__name.sql, in migc's layout and Flyway's) go
** to *reps, *nreps of them, in name order. */
static struct entry *
listdir(const char *dir, enum layout layout, size_t *n, char ***reps, size_t *nreps, struct diags *d)
{
	struct entry *e = NULL;
	size_t nnames, ne = 0, cap = 0, i;
	char **names = readnames(dir, flywaylike(layout), layout == LAYOUT_SQLMIGRATE, &nnames, d);

	*reps = xreallocarray(NULL, nnames + 1, sizeof(**reps));
	*nreps = 0;

	for (i = 0; i < nnames; i++) {
		const char *f = names[i], *name, *why;
		char *path = joinpath(dir, f);
		size_t namelen;
		struct entry x;
		int rep;

		if ((layout == LAYOUT_MIGC || flywaylike(layout)) && (rep = parserepeatable(f, &name, &namelen, &why)) != 0) {
			if (rep < 0)
				diagerror(d, path, 0, 0, "%s", why);
			else
				(*reps)[(*nreps)++] = xstrdup(f);
			free(path);
			continue;
		}
		if (!flywaylike(layout) && layout != LAYOUT_REFINERY &&
		    foreignname(path, f, names, nnames, upsuffix(layout), d)) {
			free(path);
			continue;
		}
		x.reversible = 0;
		if (f[0] == '.') {
			diagerror(d, path, 0, 0, "sql-migrate applies a file whose name starts with '.' as any other, and "
			          "migc skips such files: rename it");
			free(path);
			continue;
		}
		if (flywaylike(layout) && strcmp(f + strlen(f) - 5, ".conf") == 0) {
			diagerror(d, path, 0, 0, "is a Flyway script configuration, which migc does not read yet: run its "
			          "migration as Flyway reads it without one, or remove it (executeInTransaction=false is "
			          "-- migc:no-transaction in the migration)");
			free(path);
			continue;
		}
		if (flywaylike(layout) ? parseflyway(f, layout == LAYOUT_FLYWAYDOTTED, &x.version, &name, &namelen, &x.isdown, &why) != 0
		    : layout == LAYOUT_REFINERY ? parserefinery(f, &x.version, &name, &namelen, &x.isdown, &why) != 0
		    : parsefilename(f, &x.version, &name, &namelen, &x.isdown, &why) != 0) {
			diagerror(d, path, 0, 0, "%s", why);
			free(path);
			continue;
		}
		if (x.isdown && singlefile(layout)) {
			diagerror(d, path, 0, 0, "%s keeps a migration's down section in its one file: move this after a "
			          "\"%s\" line at the end of %.*s.sql", marknames(layout)->tool, marknames(layout)->down,
			          (int)(strlen(f) - 9), f);
			free(path);
			continue;
		}
		if (upsuffix(layout) && upname(path, f, layout, name, &namelen, &x, d) != 0) {
			free(path);
			continue;
		}
		free(path);
		x.file = xstrdup(f);
		x.name = xmemdup(name, namelen);
		e = xgrow(e, ne, &cap, sizeof(*e));
		e[ne++] = x;
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (ne)
		qsort(e, ne, sizeof(*e), entrycmp);
	if (layout == LAYOUT_DBMATE)
		checknameorder(dir, e, ne, d);
	if (layout == LAYOUT_SQLX)
		checksqlxkinds(dir, e, ne, d);
	*n = ne;
	return e;
}

/* Pair up and down files; report duplicates and orphans. Returns the
** number of migrations; up[i] and down[i] index into e (down -1: none). */
static size_t
pairfiles(const char *dir, enum layout layout, struct entry *e, size_t ne, long *up, long *down,
          struct diags *d)
{
	size_t i, n = 0;

	for (i = 0; i < ne; i++) {
		int first = i == 0 || e[i - 1].version != e[i].version;
		char *path = joinpath(dir, e[i].file);

		if (!e[i].isdown && first) {
			up[n] = (long)i;
			down[n++] = -1;
		} else if (!e[i].isdown) {
			diagerror(d, path, 0, 0, "duplicate version %lld: also %s",
			          (long long)e[i].version, e[i - 1].file);
		} else if (first) {
			if (flywaylike(layout))
				diagerror(d, path, 0, 0, "undo migration without its versioned migration (expected V%.*s__NAME.sql)",
				          (int)(strstr(e[i].file, "__") - e[i].file - 1), e[i].file + 1);
			else
				diagerror(d, path, 0, 0, "down migration without an up migration (expected %.*s%s)",
				          (int)(strlen(e[i].file) - 9), e[i].file, upsuffix(layout) ? ".up.sql" : ".sql");
		} else if (n > 0 && down[n - 1] < 0 && e[up[n - 1]].version == e[i].version &&
		           e[i - 1].isdown == 0) {
			if (!flywaylike(layout) && strcmp(e[i].name, e[up[n - 1]].name) != 0)
				diagerror(d, path, 0, 0, "down migration's name differs from its up migration %s",
				          e[up[n - 1]].file);
			down[n - 1] = (long)i;
		} else {
			diagerror(d, path, 0, 0, "duplicate version %lld: also %s",
			          (long long)e[i].version, e[i - 1].file);
		}
		free(path);
	}
	return n;
}

/* R__name.sql files in the order of their names (R__a before R__a-b). */
static int
repcmp(const void *a, const void *b)
{
	const char *x = *(char *const *)a + 3, *y = *(char *const *)b + 3;
	size_t nx = strlen(x) - 4, ny = strlen(y) - 4;
	int c = memcmp(x, y, nx < ny ? nx : ny);

	return c ? c : (nx > ny) - (nx < ny);
}

/* Read the repeatable migrations files[0..n) of dir (freeing the names):
** each a migration of version 0 without a down migration, checksummed as
** an up file is. */
static const struct migc_migration *
loadrepeatables(const char *dir, enum dialect dialect, enum layout layout, char **files, size_t n,
                struct diags *d)
{
	struct migc_migration *r = xreallocarray(NULL, n + 1, sizeof(*r));
	size_t i;

	memset(r, 0, (n + 1) * sizeof(*r));
	if (n > 1)
		qsort(files, n, sizeof(*files), repcmp);
	for (i = 0; i < n; i++) {
		struct directives dv = DIRECTIVES_NONE;
		char *sum = xmalloc(68), *rawsum = xmalloc(68), *path = joinpath(dir, files[i]);
		size_t len = strlen(files[i]);

		sum[0] = rawsum[0] = '\0';
		r[i].name = xmemdup(files[i] + 3, len - 7);
		loadscript(dir, files[i], dialect, layout, &r[i].up, sum, rawsum, &dv, d);
		r[i].checksum = sum;
		r[i].raw_checksum = rawsum;
		if (dv.naccept)
			diagerror(d, path, 0, 0, "migc:also-accept has no meaning in a repeatable migration, which runs again "
			          "whenever it changes");
		if (dv.irreversible)
			diagerror(d, path, dv.irreversible_line, 0, "migc:irreversible has no meaning in a repeatable "
			          "migration, which has no down migration");
		if (dv.noreplay_line)
			diagerror(d, path, dv.noreplay_line, 0, "migc:no-replay is for a versioned data migration: the "
			          "replay runs repeatable ones, which leave no fingerprint");
		freedirectives(&dv);
		free(path);
		free(files[i]);
	}
	free(files);
	return r;
}

/*
** -- migc:irreversible REASON marks a migration that cannot be reverted,
** in its up file (checksummed, so marking an applied one is an edit) or
** in its down file (or section), which then holds nothing else: down
** refuses the migration, so statements there would never run.
*/
static void
markirreversible(const char *dir, struct migc_migration *mig, struct directives *up, struct directives *down,
                 struct diags *d)
{
	char *path;

	if (up->irreversible && down->irreversible) {
		path = joinpath(dir, mig->down.file);
		diagerror(d, path, down->irreversible_line, 0, "migc:irreversible is given in the up migration too "
		          "(%s, line %lu): give it once", mig->up.file, up->irreversible_line);
		free(path);
	} else if (down->irreversible && mig->down.nstmts) {
		path = joinpath(dir, mig->down.file);
		diagerror(d, path, down->irreversible_line, 0, "migc:irreversible in a down migration that has "
		          "statements: down refuses an irreversible migration, so they would never run (remove them, "
		          "or the directive)");
		free(path);
	} else if (down->irreversible) {
		mig->irreversible = down->irreversible;
		down->irreversible = NULL;
	}
	if (up->irreversible && !down->irreversible && mig->down.nstmts) {
		path = joinpath(dir, mig->up.file);
		diagerror(d, path, up->irreversible_line, 0, "migc:irreversible, where the down migration %s has "
		          "statements: down refuses an irreversible migration, so they would never run (remove them, "
		          "or the directive)", mig->down.file);
		free(path);
	}
	if (up->irreversible) {
		mig->irreversible = up->irreversible;
		up->irreversible = NULL;
	}
}

/* What a -- migc:no-replay migration may hold: statements that change
** rows, not the schema (the replay skips them, and the fingerprint of the
** version stays that of the one before). */
static const char *const datawords[] = {
	"insert", "update", "delete", "merge", "select", "with", "values", "replace", "copy", "truncate",
	"analyze", "vacuum", "refresh", NULL
};

/* Does dir/name hold a .sql file? */
static int
holdssql(const char *dir, const char *name)
{
	char *path = joinpath(dir, name);
	DIR *dp = opendir(path);
	struct dirent *de;
	int found = 0;

	free(path);
	while (dp && !found && (de = readdir(dp)) != NULL) {
		size_t n = strlen(de->d_name);

		found = n > 4 && strcmp(de->d_name + n - 4, ".sql") == 0;
	}
	if (dp)
		closedir(dp);
	return found;
}

/*
** A directory without a single migration is almost always the wrong one
** (the repository's migrations/ when the sets are in its subdirectories,
** a typo in a build rule), and gen would still write an empty set: warn,
** naming the subdirectories that hold SQL files (--strict: an error).
*/
static void
warnempty(const char *dir, struct diags *d)
{
	struct buf subdirs = {0};
	char **names = NULL;
	size_t n = 0, i;
	DIR *dp = opendir(dir);
	struct dirent *de;
	struct stat st;

	while (dp && (de = readdir(dp)) != NULL) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = joinpath(dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && holdssql(dir, de->d_name)) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
		free(path);
	}
	if (dp)
		closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), namecmp);
	for (i = 0; i < n; i++) {
		bufprintf(&subdirs, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
	if (n)
		diagwarn(d, dir, 0, 0, "no migrations here, but SQL files in its subdirectories %s: name one of them",
		         subdirs.data);
	else
		diagwarn(d, dir, 0, 0, "no migrations here: an empty set (a migration is NNNN_name.sql, or see --layout)");
	buffree(&subdirs);
}

/* -- migc:no-replay in mig's up (updv) refuses a statement that changes
** the schema; in a down it is an error. */
static void
checknoreplay(const char *dir, const struct migc_migration *mig, const struct directives *updv,
              const struct directives *downdv, struct diags *d)
{
	char *path;
	unsigned long j;

	if (downdv->noreplay_line) {
		path = joinpath(dir, mig->down.file);
		diagerror(d, path, downdv->noreplay_line, 0, "migc:no-replay goes in the up migration (%s): the replay "
		          "skips its statements and its down migration's", mig->up.file);
		free(path);
	}
	if (!updv->noreplay_line)
		return;
	for (j = 0; j < mig->up.nstmts; j++) {
		const struct migc_stmt *st = &mig->up.stmts[j];
		size_t i = st->offset;
		struct pgtok k;
		unsigned long line = 1, col = 1;
		int w;

		pgnext(mig->up.sql, &i, st->offset + st->length, &k);
		for (w = 0; k.p && datawords[w] && !tokis(&k, datawords[w]); w++)
			;
		if (!k.p || datawords[w])
			continue;
		migc__place(mig->up.sql, 0, (size_t)(k.p - mig->up.sql), 0, &line, &col);
		path = joinpath(dir, mig->up.file);
		diagerror(d, path, line, col, "migc:no-replay: %.*s changes the schema, and the replay would skip it, so "
		          "the fingerprints of this version and the later ones would be wrong (move it to a migration of "
		          "its own, or remove the directive)", (int)k.n, k.p);
		free(path);
		return;
	}
}

struct migc_set *
loadset(const char *dir, enum dialect dialect, enum layout layout, struct diags *d)
{
	struct migc_set *set = xmalloc(sizeof(*set));
	struct migc_migration *m;
	struct entry *e;
	size_t ne, n, i, nreps;
	long *up, *down;
	char **reps;

	e = listdir(dir, layout, &ne, &reps, &nreps, d);
	up = xreallocarray(NULL, ne + 1, sizeof(*up));
	down = xreallocarray(NULL, ne + 1, sizeof(*down));
	n = pairfiles(dir, layout, e, ne, up, down, d);
	m = xreallocarray(NULL, n + 1, sizeof(*m));
	memset(m, 0, (n + 1) * sizeof(*m));
	for (i = 0; i < n; i++) {
		struct entry *u = &e[up[i]];
		char *sum = xmalloc(68), *rawsum = xmalloc(68);

		/* A file that cannot be read has no checksums, but empty ones. */
		sum[0] = rawsum[0] = '\0';

		struct directives updv = DIRECTIVES_NONE, downdv = DIRECTIVES_NONE;

		m[i].version = u->version;
		m[i].name = xstrdup(u->name);
		if (singlefile(layout))
			loadsingle(dir, u->file, dialect, layout, &m[i], sum, rawsum, &updv, &downdv, d);
		else
			loadscript(dir, u->file, dialect, layout, &m[i].up, sum, rawsum, &updv, d);
		m[i].checksum = sum;
		m[i].raw_checksum = rawsum;
		m[i].accept = (const char *const *)updv.accept;
		m[i].naccept = (unsigned long)updv.naccept;
		updv.accept = NULL;
		if (down[i] >= 0)
			loadscript(dir, e[down[i]].file, dialect, layout, &m[i].down, NULL, NULL, &downdv, d);
		markirreversible(dir, &m[i], &updv, &downdv, d);
		checknoreplay(dir, &m[i], &updv, &downdv, d);
		freedirectives(&updv);
		freedirectives(&downdv);
	}
	for (i = 0; i < ne; i++) {
		free(e[i].file);
		free(e[i].name);
	}
	free(e);
	free(up);
	free(down);
	set->repeatables = loadrepeatables(dir, dialect, layout, reps, nreps, d);
	set->nrepeatables = (unsigned long)nreps;
	set->layout = MIGC_LAYOUT;
	set->dialect = dialect == DIALECT_SQLITE ? "sqlite" : dialect == DIALECT_POSTGRES ? "postgres" : "none";
	set->migrations = m;
	set->count = (unsigned long)n;
	sethash(set, m, n);
	if (n == 0 && nreps == 0 && d->nerrors == 0)
		warnempty(dir, d);
	if (d->nerrors) {
		freeset(set);
		return NULL;
	}
	return set;
}

/* The set's strings and arrays were allocated here; const is cast away
** only to give them back. */
static void
freescript(const struct migc_script *sc)
{
	free((char *)sc->file);
	free((char *)sc->sql);
	free((struct migc_stmt *)sc->stmts);
}

void
freeset(struct migc_set *set)
{
	unsigned long i, j;

	if (!set)
		return;
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];

		free((char *)m->name);
		free((char *)m->checksum);
		free((char *)m->raw_checksum);
		for (j = 0; j < m->naccept; j++)
			free((char *)m->accept[j]);
		free((char **)m->accept);
		free((char *)m->schema);
		free((char *)m->irreversible);
		freescript(&m->up);
		freescript(&m->down);
	}
	for (i = 0; i < set->nrepeatables; i++) {
		const struct migc_migration *r = &set->repeatables[i];

		free((char *)r->name);
		free((char *)r->checksum);
		free((char *)r->raw_checksum);
		freescript(&r->up);
	}
	free((struct migc_migration *)set->repeatables);
	free((struct migc_migration *)set->migrations);
	free((char *)set->hash);
	free(set);
}
