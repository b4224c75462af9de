/*
** sections.c: a single-file migration (goose's, dbmate's or
** sql-migrate's layout) cut into its parts. Its lines are read by
** gen/marks.c; the up section runs from the start of the file to the down
** mark, the down section from there to the end. As the tools do, only
** blank and "--" lines may come before the up mark (SQL there is
** refused). A second up or down mark, a down mark before the up one, a
** block left open or a block mark outside a section are refused, as is a
** mark inside a statement (checkmarks): each tool would cut the statement
** there, and migc would not.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "util.h"
#include "diag.h"
#include "layout.h"
#include "marks.h"
#include "sections.h"

/* Append text[start..end) of line to v[0..*n). */
static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

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
readsections(enum layout layout, const char *path, const char *text, size_t len, struct sections *s,
             struct diags *d)
{
	const struct marknames *mn = marknames(layout);
	enum { BEFORE_UP, IN_UP, IN_DOWN } state = BEFORE_UP;
	unsigned long line = 1, upline = 0, blockline = 0, early = 0, earlycol = 0, earlydown = 0, dashes = 0;
	size_t i = 0, cap = 0, markcap = 0, blockstart = 0;
	int errors = d->nerrors, inblock = 0, notx;
	struct buf why = {0};
	struct diags muted = {{0}, 0, 0, 0}, *sd = d;   /* after a line that may have been meant as any mark, say no more */
	enum mark what;

	memset(s, 0, sizeof(*s));
	s->layout = layout;
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
		notx = 0;
		why.len = 0;
		what = readmark(layout, text + i, q - i, &notx, &why);
		if (what != MARK_NONE && what != MARK_BAD)
			s->marks = addrange(s->marks, &s->nmarks, &markcap, i, eol, line);
		switch (what) {
		case MARK_NONE:
			/* dbmate's "--\s*migrate:" spans lines: "--" alone, then "migrate:". */
			if (layout == LAYOUT_DBMATE && dashes && q - p >= 8 && memcmp(text + p, "migrate:", 8) == 0)
				diagerror(d, path, line, col, "dbmate reads this line with the \"--\" of line %lu as a mark (its "
				          "\\s matches line ends): join them, or reword the text", dashes);
			if (state == BEFORE_UP && !early && p < q && !(q - p >= 2 && text[p] == '-' && text[p + 1] == '-')) {
				early = line;
				earlycol = col;
			}
			break;
		case MARK_UP:
			if (upline)
				diagerror(sd, path, line, col, "a second \"%s\" line (the first is at line %lu)", mn->up, upline);
			else if (state == IN_DOWN)
				diagerror(sd, path, line, col, "\"%s\" after the \"%s\" of line %lu: migc reads the up section "
				          "first (move the down section to the end of the file)", mn->up, mn->down, earlydown);
			else {
				state = IN_UP;
				s->upnotx |= notx;
			}
			upline = line;
			break;
		case MARK_DOWN:
			if (state == BEFORE_UP)
				earlydown = line;
			else if (state == IN_DOWN)
				diagerror(sd, path, line, col, "a second \"%s\" line (the first is at line %lu)", mn->down,
				          s->downline ? s->downline : earlydown);
			else if (inblock) {
				diagerror(sd, path, line, col, "\"%s\" inside the StatementBegin block of line %lu", mn->down,
				          blockline);
				sd = &muted;
			}
			else {
				s->upend = s->downstart = i;
				s->downline = line;
				s->downnotx |= notx;
			}
			state = IN_DOWN;
			inblock = 0;
			break;
		case MARK_BEGIN:
			if (state == BEFORE_UP)
				diagerror(sd, path, line, col, "StatementBegin before \"%s\"", mn->up);
			else if (inblock)
				diagerror(sd, path, line, col, "StatementBegin inside the block that began at line %lu "
				          "(end it with \"%s\" first)", blockline, mn->end);
			inblock = 1;
			blockstart = eol < len ? eol + 1 : len;
			blockline = line;
			break;
		case MARK_END:
			if (!inblock)
				diagerror(sd, path, line, col, "StatementEnd without a StatementBegin before it");
			else
				s->blocks = addrange(s->blocks, &s->nblocks, &cap, blockstart, i, blockline);
			inblock = 0;
			break;
		case MARK_NOTX:
			s->upnotx = s->downnotx = 1;
			break;
		case MARK_OTHER:
			break;
		case MARK_BAD:
			diagerror(d, path, line, col, "%s", why.data);
			sd = &muted;
			break;
		}
		if (q - p == 2 && text[p] == '-' && text[p + 1] == '-')
			dashes = line;
		else if (p < q)
			dashes = 0;
		i = eol + 1;
		line++;
	}
	buffree(&why);
	if (inblock)
		diagerror(sd, path, blockline, 1, "StatementBegin without a StatementEnd after it");
	if (!upline)
		diagerror(sd, path, 0, 0, "no \"%s\" line: a %s migration starts its SQL with one", mn->up, mn->tool);
	else if (early)
		diagerror(sd, path, early, earlycol, "SQL before the \"%s\" line of line %lu: %s (only blank and -- "
		          "lines may come first)", mn->up, upline, mn->before);
	else if (mn->needsdown && !s->downline && !earlydown)
		diagerror(sd, path, 0, 0, "no \"%s\" line: %s requires one in every migration (with nothing after it "
		          "when there is nothing to revert)", mn->down, mn->tool);
	buffree(&muted.text);
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
	const struct marknames *mn = marknames(s->layout);
	size_t k, j = 0;

	for (k = 0; k < s->nmarks; k++) {
		size_t at = s->marks[k].start;

		while (j < n && base + stmts[j].off + stmts[j].len <= at)
			j++;
		if (j < n && base + stmts[j].off < at)
			diagerror(d, path, s->marks[k].line, 1, "a %s %s inside the statement of line %lu: %s, migc would "
			          "not (end the statement with ';' before it)", mn->tool, mn->mark, stmts[j].line, mn->inside);
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

/* Whether byte at (of the file) is inside one of s's blocks. */
static int
inblock(const struct sections *s, size_t at)
{
	size_t b;

	for (b = 0; b < s->nblocks; b++)
		if (at >= s->blocks[b].start && at < s->blocks[b].end)
			return 1;
	return 0;
}

/* Does sql-migrate end a statement at the end of line[0..n)? Its last
** word before one that starts with "--" ends in ';' (endsWithSemicolon). */
static int
endsstatement(const char *line, size_t n)
{
	size_t i = 0, start, last = 0, lastlen = 0;

	for (;;) {
		while (i < n && (blank(line[i]) || line[i] == '\f' || line[i] == '\v'))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !(blank(line[i]) || line[i] == '\f' || line[i] == '\v'))
			i++;
		if (i - start >= 2 && line[start] == '-' && line[start + 1] == '-')
			break;
		last = start;
		lastlen = i - start;
	}
	return lastlen > 0 && line[last + lastlen - 1] == ';';
}

void
checksplits(const char *path, const struct sections *s, const char *text, size_t len, size_t base,
            unsigned long line0, const struct stmt *stmts, size_t n, struct diags *d)
{
	unsigned long line = line0 + 1;
	size_t i = 0, j = 0, k;

	if (s->layout != LAYOUT_SQLMIGRATE)
		return;
	while (i < len) {
		size_t eol = i;
		int inside = 0, ends = 0;

		while (eol < len && text[eol] != '\n')
			eol++;
		while (j < n && stmts[j].off + stmts[j].len <= i)
			j++;
		for (k = j; k < n && stmts[k].off < eol; k++) {
			if (stmts[k].off < i)
				inside = 1;
			if (stmts[k].off + stmts[k].len > i && stmts[k].off + stmts[k].len <= eol + 1)
				ends = 1;
		}
		if (eol - i >= 3 && memcmp(text + i, "-- ", 3) == 0 && !(eol - i >= 4 && text[i + 3] == '+') && inside)
			diagerror(d, path, line, 1, "sql-migrate leaves a line that starts with \"-- \" out of the SQL it sends, "
			          "even inside a statement, a string or a function body, and migc would not: the statement "
			          "would differ (write the comment as /* */, or start it without the blank)");
		else if (!inblock(s, base + i) && endsstatement(text + i, eol - i) && !ends)
			diagerror(d, path, line, 1, "sql-migrate ends a statement at the ';' that ends this line, and migc does "
			          "not (it is inside a comment, a string or a statement): sql-migrate would send the SQL cut "
			          "here (move the ';', or put the statement in a StatementBegin block)");
		i = eol + 1;
		line++;
	}
}
