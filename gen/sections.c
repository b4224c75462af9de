/*
** sections.c: goose's layout (pressly.github.io/goose/reference/annotations
** and internal/sqlparser/parser.go). A file NNNN_name.sql holds lines
** "-- +goose Up" and, after it, "-- +goose Down"; the text between them is
** the up migration, the text after Down the down migration. Annotations
** are "--" lines holding "+goose" and a command (see annotation()):
**   Up, Down                    where the sections start;
**   StatementBegin, StatementEnd  the lines between are one statement;
**   NO TRANSACTION              the file runs outside a transaction;
**   ENVSUB ON, ENVSUB OFF       substitution of ${VAR} from the
**                               environment when goose runs: refused (ON),
**                               since migc embeds the SQL when it builds.
** As goose does, only blank and "--" lines may come before Up. Lines are
** looked at whole, inside strings and block comments too, as goose reads
** them; an annotation inside a statement, which goose would cut out of its
** SQL, is refused (checkmarks). Anything else after "+goose" is refused
** rather than ignored.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "util.h"
#include "diag.h"
#include "sections.h"

int
parselayout(const char *s, enum layout *out)
{
	if (strcmp(s, "migc") == 0)
		*out = LAYOUT_MIGC;
	else if (strcmp(s, "goose") == 0)
		*out = LAYOUT_GOOSE;
	else
		return -1;
	return 0;
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

enum annotation {
	A_NONE, A_UP, A_DOWN, A_BEGIN, A_END, A_NOTX, A_ENVSUB_ON, A_ENVSUB_OFF,
	A_UNKNOWN, A_INDENTED, A_UPPER
};

/* Where "+goose" is in s[0..n), in any case when anycase, or n. */
static size_t
findgoose(const char *s, size_t n, int anycase)
{
	size_t i, k;

	for (i = 0; i + 6 <= n; i++) {
		for (k = 0; k < 6; k++)
			if ((anycase ? lower((unsigned char)s[i + k]) : s[i + k]) != "+goose"[k])
				break;
		if (k == 6)
			return i;
	}
	return n;
}

/*
** What line[0..n) (its trailing blanks trimmed) is to goose. A line that
** starts with "--" and holds "+goose" is an annotation, read as goose's
** extractAnnotation reads it: every "--" taken out, then the first
** "+goose", the rest trimmed and compared in any case. goose refuses one
** with blanks before its "--"; "+goose" in another case is a plain
** comment to goose, and refused here so that no line is read two ways.
*/
static enum annotation
annotation(const char *line, size_t n)
{
	static const struct { const char *w; enum annotation a; } known[] = {
		{ "up", A_UP }, { "down", A_DOWN }, { "statementbegin", A_BEGIN }, { "statementend", A_END },
		{ "no transaction", A_NOTX }, { "envsub on", A_ENVSUB_ON }, { "envsub off", A_ENVSUB_OFF },
	};
	size_t p = 0, i, m = 0, g, a, b, k;
	enum annotation what = A_UNKNOWN;
	char *rest;

	while (p < n && blank(line[p]))
		p++;
	if (n - p < 2 || line[p] != '-' || line[p + 1] != '-' || findgoose(line, n, 1) == n)
		return A_NONE;
	if (p > 0)
		return A_INDENTED;
	if (findgoose(line, n, 0) == n)
		return A_UPPER;
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
	for (a = 0; a < m && blank(rest[a]); a++)
		;
	for (b = m; b > a && blank(rest[b - 1]); b--)
		;
	for (i = a; i < b; i++)
		rest[i] = (char)lower((unsigned char)rest[i]);
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (strlen(known[k].w) == b - a && memcmp(rest + a, known[k].w, b - a) == 0)
			what = known[k].a;
	free(rest);
	return what;
}

/* Append text[start..end) of line to v[0..*n). */
static struct block *
addrange(struct block *v, size_t *n, size_t *cap, size_t start, size_t end, unsigned long line)
{
	v = xgrow(v, *n, cap, sizeof(*v));
	v[*n].start = start;
	v[*n].end = end;
	v[(*n)++].line = line;
	return v;
}

int
readsections(const char *path, const char *text, size_t len, struct sections *s, struct diags *d)
{
	enum { BEFORE_UP, IN_UP, IN_DOWN } state = BEFORE_UP;
	unsigned long line = 1, upline = 0, blockline = 0, early = 0, earlycol = 0;
	size_t i = 0, cap = 0, markcap = 0, blockstart = 0;
	int errors = d->nerrors, inblock = 0;
	enum annotation what;

	memset(s, 0, sizeof(*s));
	s->upend = s->downstart = len;
	while (i < len) {
		size_t eol = i, p, q;
		unsigned long col;

		while (eol < len && text[eol] != '\n')
			eol++;
		for (p = i; p < eol && blank(text[p]); p++)
			;
		for (q = eol; q > p && blank(text[q - 1]); q--)
			;
		col = (unsigned long)(p - i) + 1;
		what = annotation(text + i, q - i);
		if (what != A_NONE && what != A_INDENTED && what != A_UPPER)
			s->marks = addrange(s->marks, &s->nmarks, &markcap, i, eol, line);
		switch (what) {
		case A_NONE:
			if (state == BEFORE_UP && !early && p < q && !(q - p >= 2 && text[p] == '-' && text[p + 1] == '-')) {
				early = line;
				earlycol = col;
			}
			break;
		case A_UP:
			if (upline)
				diagerror(d, path, line, col, "a second \"-- +goose Up\" line (the first is at line %lu)", upline);
			else if (state == BEFORE_UP)
				state = IN_UP;
			upline = line;
			break;
		case A_DOWN:
			if (state == BEFORE_UP)
				diagerror(d, path, line, col, "\"-- +goose Down\" before \"-- +goose Up\"");
			else if (state == IN_DOWN)
				diagerror(d, path, line, col, "a second \"-- +goose Down\" line (the first is at line %lu)",
				          s->downline);
			else if (inblock)
				diagerror(d, path, line, col, "\"-- +goose Down\" inside the StatementBegin block of line %lu",
				          blockline);
			else {
				s->upend = s->downstart = i;
				s->downline = line;
			}
			state = IN_DOWN;
			inblock = 0;
			break;
		case A_BEGIN:
			if (state == BEFORE_UP)
				diagerror(d, path, line, col, "StatementBegin before \"-- +goose Up\"");
			else if (inblock)
				diagerror(d, path, line, col, "StatementBegin inside the block that began at line %lu "
				          "(end it with \"-- +goose StatementEnd\" first)", blockline);
			inblock = 1;
			blockstart = eol < len ? eol + 1 : len;
			blockline = line;
			break;
		case A_END:
			if (!inblock)
				diagerror(d, path, line, col, "StatementEnd without a StatementBegin before it");
			else
				s->blocks = addrange(s->blocks, &s->nblocks, &cap, blockstart, i, blockline);
			inblock = 0;
			break;
		case A_NOTX:
			s->notx = 1;
			break;
		case A_ENVSUB_ON:
			diagerror(d, path, line, col, "ENVSUB ON: goose fills ${VAR} from its environment when it runs, "
			          "and migc builds the SQL into the program, so there is no such environment (write the "
			          "values in the file)");
			break;
		case A_ENVSUB_OFF:
			break;
		case A_INDENTED:
			diagerror(d, path, line, col, "a goose annotation with blanks before its \"--\": goose refuses it "
			          "(start the line with \"--\")");
			break;
		case A_UPPER:
			diagerror(d, path, line, col, "\"+goose\" in another case: goose reads this line as a plain "
			          "comment, not an annotation (write +goose, or leave +goose out of the comment)");
			break;
		case A_UNKNOWN:
			diagerror(d, path, line, col, "unknown goose annotation \"%.*s\" (goose refuses a -- line with "
			          "+goose that is not one of Up, Down, StatementBegin, StatementEnd, NO TRANSACTION and ENVSUB "
			          "ON|OFF)", (int)(q - p > 80 ? 80 : q - p), text + p);
			break;
		}
		i = eol + 1;
		line++;
	}
	if (inblock)
		diagerror(d, path, blockline, 1, "StatementBegin without a StatementEnd after it");
	if (!upline)
		diagerror(d, path, 0, 0, "no \"-- +goose Up\" line: a goose migration starts its SQL with one");
	else if (early)
		diagerror(d, path, early, earlycol, "SQL before the \"-- +goose Up\" line of line %lu: goose refuses "
		          "it too (only blank and -- lines may come first)", upline);
	return d->nerrors > errors ? -1 : 0;
}

void
freesections(struct sections *s)
{
	free(s->blocks);
	free(s->marks);
	s->blocks = s->marks = NULL;
	s->nblocks = s->nmarks = 0;
}

void
checkmarks(const char *path, const struct sections *s, size_t base, const struct stmt *stmts, size_t n,
           struct diags *d)
{
	size_t k, j = 0;

	for (k = 0; k < s->nmarks; k++) {
		size_t at = s->marks[k].start;

		while (j < n && base + stmts[j].off + stmts[j].len <= at)
			j++;
		if (j < n && base + stmts[j].off < at)
			diagerror(d, path, s->marks[k].line, 1, "a goose annotation inside the statement of line %lu: goose "
			          "leaves the line out of the SQL it sends, migc would not (end the statement with ';' "
			          "before it)", stmts[j].line);
	}
}

void
joinblocks(const char *path, const struct sections *s, size_t base, struct stmt *stmts, size_t *n,
           struct diags *d)
{
	size_t b, i, k, first;

	for (b = 0; b < s->nblocks; b++) {
		const struct block *bl = &s->blocks[b];

		for (first = 0; first < *n && base + stmts[first].off < bl->start; first++)
			;
		if (first > 0 && base + stmts[first - 1].off + stmts[first - 1].len > bl->start) {
			diagerror(d, path, stmts[first - 1].line, stmts[first - 1].col, "this statement runs into the "
			          "StatementBegin block of line %lu (end it with ';')", bl->line);
			continue;
		}
		for (k = first; k < *n && base + stmts[k].off < bl->end; k++)
			;
		if (k == first)
			continue;       /* before this section, or after it, or an empty block: nothing to send */
		if (base + stmts[k - 1].off + stmts[k - 1].len > bl->end) {
			diagerror(d, path, stmts[k - 1].line, stmts[k - 1].col, "this statement runs past the "
			          "StatementEnd of the block of line %lu (end it with ';' before that line)", bl->line);
			continue;
		}
		stmts[first].len = stmts[k - 1].off + stmts[k - 1].len - stmts[first].off;
		for (i = k; i < *n; i++)
			stmts[first + 1 + i - k] = stmts[i];
		*n -= k - first - 1;
	}
}
