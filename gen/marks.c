/*
** marks.c: the lines that mark a single-file migration's sections, read
** as each tool reads them, one line at a time (inside strings and block
** comments too, as the tools do). A line written as a mark that its tool
** would read another way than migc, or not at all, is MARK_BAD, so that
** no line is read two ways.
**
** goose (pressly.github.io/goose/reference/annotations and
**   internal/sqlparser/parser.go): a line that starts with "--" and holds
**   "+goose": every "--" taken out, then the first "+goose", the rest
**   trimmed and compared in any case: Up, Down, StatementBegin,
**   StatementEnd, NO TRANSACTION, ENVSUB ON|OFF. goose refuses one with
**   blanks before its "--"; "+goose" in another case is a plain comment to
**   goose. ENVSUB ON (fill ${VAR} from goose's environment) is refused:
**   migc builds the SQL into the program.
** dbmate (pkg/dbmate/migration.go, ^--\s*migrate:up(\s*$|\s+\S+), the
**   same for down; checked against dbmate 2.36.0, which also reads
**   several up/down pairs in one file, where migc refuses a second pair):
**   "--", blanks (\s: form feeds too), "migrate:up" or "migrate:down" in
**   lower case, then the end or blanks and options. transaction:false runs
**   that section outside a transaction; dbmate ignores unknown options and
**   takes the last of repeated ones, migc refuses both.
** sql-migrate (sqlparse/sqlparse.go): a line that starts with exactly
**   "-- +migrate " and a command, Up, Down, StatementBegin or StatementEnd,
**   in that case; notransaction after Up or Down runs that section outside
**   a transaction. sql-migrate ignores unknown commands and options, migc
**   refuses them.
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "layout.h"
#include "marks.h"

/* How much of a line a message quotes. */
#define MAXQUOTE 80

static const struct marknames names[] = {
	[LAYOUT_GOOSE] = { "goose", "annotation", "-- +goose Up", "-- +goose Down", "-- +goose StatementBegin",
	                   "-- +goose StatementEnd", 0, "goose refuses it too",
	                   "goose leaves the line out of the SQL it sends" },
	[LAYOUT_DBMATE] = { "dbmate", "mark", "-- migrate:up", "-- migrate:down", NULL, NULL, 1,
	                    "dbmate refuses it too", "dbmate starts a section at the line even there" },
	[LAYOUT_SQLMIGRATE] = { "sql-migrate", "command", "-- +migrate Up", "-- +migrate Down",
	                        "-- +migrate StatementBegin", "-- +migrate StatementEnd", 0,
	                        "sql-migrate would skip it without a word",
	                        "sql-migrate obeys the command even there and leaves the line out of the SQL it sends" },
};

const struct marknames *
marknames(enum layout layout)
{
	return &names[layout];
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static size_t
skipblanks(const char *s, size_t i, size_t n)
{
	while (i < n && blank(s[i]))
		i++;
	return i;
}

/* Whether s[0..n) starts with w, in any case when anycase. */
static int
startswith(const char *s, size_t n, const char *w, int anycase)
{
	size_t k, len = strlen(w);

	if (n < len)
		return 0;
	for (k = 0; k < len; k++)
		if ((anycase ? lower((unsigned char)s[k]) : s[k]) != w[k])
			return 0;
	return 1;
}

/* Whether s[0..n) is w followed by a blank or its end. */
static int
isword(const char *s, size_t n, const char *w)
{
	size_t len = strlen(w);

	return startswith(s, n, w, 0) && (n == len || blank(s[len]));
}

/* The end of the word of s[0..n) that starts at i. */
static size_t
wordend(const char *s, size_t i, size_t n)
{
	while (i < n && !blank(s[i]))
		i++;
	return i;
}

static enum mark
bad(struct buf *why, const char *msg)
{
	bufputs(why, msg);
	return MARK_BAD;
}

/* MARK_BAD, the reason fmt quoting s[0..n) with its one "%.*s". */
static enum mark
badquote(struct buf *why, const char *fmt, const char *s, size_t n)
{
	if (n > MAXQUOTE) {
		n = MAXQUOTE;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;        /* not in the middle of a UTF-8 character */
	}
	bufprintf(why, fmt, (int)n, s);
	return MARK_BAD;
}

/* Where "+goose" is in s[0..n), in any case when anycase, or n. */
static size_t
findgoose(const char *s, size_t n, int anycase)
{
	size_t i;

	for (i = 0; i + 6 <= n; i++)
		if (startswith(s + i, n - i, "+goose", anycase))
			return i;
	return n;
}

static enum mark
goosemark(const char *line, size_t n, struct buf *why)
{
	static const struct { const char *w; enum mark m; } known[] = {
		{ "up", MARK_UP }, { "down", MARK_DOWN }, { "statementbegin", MARK_BEGIN },
		{ "statementend", MARK_END }, { "no transaction", MARK_NOTX }, { "envsub off", MARK_OTHER },
		{ "envsub on", MARK_BAD },
	};
	size_t p = skipblanks(line, 0, n), i, m = 0, g, a, b, k;
	enum mark what = MARK_NONE;
	char *rest;

	if (n - p < 2 || line[p] != '-' || line[p + 1] != '-' || findgoose(line, n, 1) == n)
		return MARK_NONE;
	if (p > 0)
		return bad(why, "a goose annotation with blanks before its \"--\": goose refuses it (start the line "
		           "with \"--\")");
	if (findgoose(line, n, 0) == n)
		return bad(why, "\"+goose\" in another case: goose reads this line as a plain comment, not an "
		           "annotation (write +goose, or leave +goose out of the comment)");
	rest = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (line[i] == '-' && i + 1 < n && line[i + 1] == '-')
			i++;
		else
			rest[m++] = line[i];
	}
	g = findgoose(rest, m, 0);
	if (g < m) {
		memmove(rest + g, rest + g + 6, m - g - 6);
		m -= 6;
	}
	a = skipblanks(rest, 0, m);
	for (b = m; b > a && blank(rest[b - 1]); b--)
		;
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (strlen(known[k].w) == b - a && startswith(rest + a, b - a, known[k].w, 1))
			what = known[k].m;
	free(rest);
	if (what == MARK_BAD)
		return bad(why, "ENVSUB ON: goose fills ${VAR} from its environment when it runs, and migc builds the "
		           "SQL into the program, so there is no such environment (write the values in the file)");
	if (what == MARK_NONE)
		return badquote(why, "unknown goose annotation \"%.*s\" (goose refuses a -- line with +goose that is "
		                "not one of Up, Down, StatementBegin, StatementEnd, NO TRANSACTION and ENVSUB ON|OFF)", line, n);
	return what;
}

static enum mark
dbmatemark(const char *line, size_t n, int *notx, struct buf *why)
{
	size_t p = skipblanks(line, 0, n), i, k, e;
	enum mark what;
	int ntx = 0;

	if (n - p < 2 || line[p] != '-' || line[p + 1] != '-')
		return MARK_NONE;
	/* dbmate's \s: a form feed or vertical tab is a blank to it too. */
	for (i = p + 2; i < n && (blank(line[i]) || line[i] == '\f' || line[i] == '\v'); i++)
		;
	if (!startswith(line + i, n - i, "migrate:", 1))
		return MARK_NONE;
	if (p > 0)
		return bad(why, "a dbmate mark with blanks before its \"--\": dbmate does not read it as one, and would "
		           "run the line as SQL of the section before it (start the line with \"--\")");
	if (isword(line + i, n - i, "migrate:up"))
		what = MARK_UP;
	else if (isword(line + i, n - i, "migrate:down"))
		what = MARK_DOWN;
	else
		return badquote(why, "\"%.*s\" is not a mark migc reads: dbmate's are \"-- migrate:up\" and \"-- migrate:down\", "
		           "in lower case and followed by a blank or the line's end, and a line written otherwise "
		           "would be read one way by dbmate and another by migc (write one of the two, or reword "
		           "the comment)", line, n);
	for (k = wordend(line, i, n); (k = skipblanks(line, k, n)) < n; k = e) {
		e = wordend(line, k, n);
		if (startswith(line + k, e - k, "transaction:", 0) && ntx++ > 0)
			return badquote(why, "a second transaction option, \"%.*s\": dbmate takes the last one, which reads "
			                "one way and runs another (keep one)", line + k, e - k);
		if (e - k == 17 && memcmp(line + k, "transaction:false", 17) == 0)
			*notx = 1;
		else if (e - k == 16 && memcmp(line + k, "transaction:true", 16) == 0)
			;
		else if (startswith(line + k, e - k, "env:", 0))
			return badquote(why, "\"%.*s\": dbmate fills ${VAR} from its environment when it runs, and migc builds "
			           "the SQL into the program, so there is no such environment (write the values in the "
			           "file)", line + k, e - k);
		else
			return badquote(why, "unknown dbmate option \"%.*s\" (migc reads transaction:false and "
			           "transaction:true; dbmate ignores the others, so a misspelt one would run the section "
			           "in a transaction: remove it)", line + k, e - k);
	}
	return what;
}

static enum mark
sqlmigratemark(const char *line, size_t n, int *notx, struct buf *why)
{
	size_t p = skipblanks(line, 0, n), i, c, e, k;
	enum mark what;

	if (n - p < 2 || line[p] != '-' || line[p + 1] != '-')
		return MARK_NONE;
	i = skipblanks(line, p + 2, n);
	if (!startswith(line + i, n - i, "+migrate", 1))
		return MARK_NONE;
	if (!startswith(line, n, "-- +migrate ", 0))
		return badquote(why, "\"%.*s\": sql-migrate reads a command only from a line that starts with exactly "
		           "\"-- +migrate \" (two dashes, one space, +migrate in lower case, one space), and reads this "
		           "one another way (write it so, or reword the comment)", line, n);
	c = skipblanks(line, 12, n);
	e = wordend(line, c, n);
	if (e - c == 2 && memcmp(line + c, "Up", 2) == 0)
		what = MARK_UP;
	else if (e - c == 4 && memcmp(line + c, "Down", 4) == 0)
		what = MARK_DOWN;
	else if (e - c == 14 && memcmp(line + c, "StatementBegin", 14) == 0)
		what = MARK_BEGIN;
	else if (e - c == 12 && memcmp(line + c, "StatementEnd", 12) == 0)
		what = MARK_END;
	else
		return badquote(why, "unknown sql-migrate command \"%.*s\": sql-migrate ignores it (its commands are Up, "
		           "Down, StatementBegin and StatementEnd, in that case)", line + c, e - c);
	for (k = e; (k = skipblanks(line, k, n)) < n; k = e) {
		e = wordend(line, k, n);
		if ((what == MARK_UP || what == MARK_DOWN) && e - k == 13 && memcmp(line + k, "notransaction", 13) == 0)
			*notx = 1;
		else
			return badquote(why, "unknown sql-migrate option \"%.*s\" (migc reads notransaction after Up or Down; "
			           "sql-migrate ignores the others, so a misspelt one would run the section in a "
			           "transaction: remove it)", line + k, e - k);
	}
	return what;
}

enum mark
readmark(enum layout layout, const char *line, size_t n, int *notx, struct buf *why)
{
	switch (layout) {
	case LAYOUT_GOOSE:
		return goosemark(line, n, why);
	case LAYOUT_DBMATE:
		return dbmatemark(line, n, notx, why);
	case LAYOUT_SQLMIGRATE:
		return sqlmigratemark(line, n, notx, why);
	default:
		return MARK_NONE;
	}
}

int
refinerymark(const char *line, size_t n)
{
	static const char mark[] = "refinery:noTransaction";
	size_t k = sizeof(mark) - 1, p = 0, q, j;

	while (p < n && line[p] == '-')
		p++;
	q = skipblanks(line, p, n);
	if (p < 2 || n - q < k)
		return 0;
	for (j = 0; j < k && lower(line[q + j]) == lower(mark[j]); j++)
		;
	if (j < k)
		return 0;
	return q - p <= 1 && n - q == k && memcmp(line + q, mark, k) == 0 ? 1 : -1;
}

int
markupline(enum layout layout, const char *line, size_t n, int first)
{
	struct buf why = {0};
	enum mark what;
	int notx = 0;

	while (n > 0 && blank(line[n - 1]))
		n--;
	switch (layout) {
	case LAYOUT_GOOSE:
	case LAYOUT_DBMATE:
	case LAYOUT_SQLMIGRATE:
		what = readmark(layout, line, n, &notx, &why);
		buffree(&why);
		return what != MARK_NONE && what != MARK_BAD;
	case LAYOUT_SQLX:
		return first && n >= 17 && memcmp(line, "-- no-transaction", 17) == 0;
	case LAYOUT_REFINERY:
		return refinerymark(line, n) == 1;
	default:
		return 0;
	}
}
