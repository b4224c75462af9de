/*
** complete_diff.c: the SQLite dialect's statement boundaries checked
** against sqlite3_complete(), shared by scan_test (random texts) and the
** libFuzzer target fuzz_complete (the fuzzer's texts).
**
** Differential test against sqlite3_complete(), which returns true exactly
** when its state machine ends in START (or in a "--" comment run to the end
** of input while in START). For each random text T that scansql accepts:
**  - a ";" that ends one of its statements: complete(T[..p]) is true;
**  - a ";" inside a statement (in a trigger body, a string, a comment):
**    complete(T[..p]) is false;
**  - a ";" between statements (an empty statement, or in a comment):
**    complete(T[..p]) equals complete(X + gap[..p]), X being "" before the
**    first statement, ";" after one that ended with ";" and "x" after one
**    that did not: the machine was where the scanner says it was;
**  - a statement ending without ";" is the last: complete() of the text
**    through it is false, and true once ";" is appended;
**  - what lies between statements holds no SQL: sqlite3_prepare_v2()
**    finds no statement and no error in it.
** For a text scansql rejects, complete(T) must be false, except for the
** two errors that are stricter than sqlite3_complete(): sqlite3 shell
** commands and misplaced migc directives (complete() does not know them);
** for those, the error must point at a "." in column 1 or at a "--".
** (An unterminated trigger body is no exception: complete() is false.)
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "scan.h"
#include "complete_diff.h"

/* sqlite3_complete() of a[0..na) followed by b[0..nb). */
static int
complete(const char *a, size_t na, const char *b, size_t nb)
{
	char *s = malloc(na + nb + 1);
	int r;

	if (!s)
		abort();
	memcpy(s, a, na);
	memcpy(s + na, b, nb);
	s[na + nb] = '\0';
	r = sqlite3_complete(s);
	free(s);
	return r;
}

/* Does t[0..n) hold nothing but whitespace, comments and ";"? */
static int
nosql(sqlite3 *db, const char *t, size_t n)
{
	char *s = malloc(n + 1);
	const char *p, *tail;
	sqlite3_stmt *st;
	int ok = 1;

	memcpy(s, t, n);
	s[n] = '\0';
	for (p = s; *p; p = tail) {
		st = NULL;
		if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK || st || tail == p)
			ok = 0;
		sqlite3_finalize(st);
		if (!ok)
			break;
	}
	free(s);
	return ok;
}

static size_t
offat(const char *t, unsigned long line, unsigned long col)
{
	size_t i = 0;

	while (line > 1 && t[i]) {
		if (t[i++] == '\n')
			line--;
	}
	return i + col - 1;
}

const char *
completediff(sqlite3 *db, const char *t, size_t n)
{
	struct stmt *v;
	struct scanerr e;
	size_t nv, i, p, gap, end;
	const char *x;
	const char *why = NULL;

	if (scansql(DIALECT_SQLITE, t, n, &v, &nv, &e) < 0) {
		p = offat(t, e.line, e.col);
		if (strncmp(e.msg, "sqlite3 shell command", 21) == 0)
			return t[p] == '.' && (p == 0 || t[p - 1] == '\n') ? NULL : "shell command error not at a . in column 1";
		if (strncmp(e.msg, "migc directive", 14) == 0)
			return strncmp(t + p, "--", 2) == 0 ? NULL : "directive error not at a --";
		return sqlite3_complete(t) ? "rejected, but sqlite3_complete() is true" : NULL;
	}
	for (i = 0, gap = 0; i <= nv && !why; i++) {
		end = i < nv ? v[i].off : n;
		if (end < gap || (i < nv && v[i].off + v[i].len > n))
			why = "statements out of order";
		else if (!nosql(db, t + gap, end - gap))
			why = "SQL between statements";
		else if (i < nv && (v[i].len == 0 || strchr(" \t\n\r\f", t[end]) ||
		                    strchr(" \t\n\r\f", t[end + v[i].len - 1])))
			why = "statement starts or ends with whitespace";
		if (i < nv)
			gap = v[i].off + v[i].len;
	}
	for (i = 0; i < nv && !why; i++) {
		end = v[i].off + v[i].len;
		if (t[end - 1] == ';')
			continue;
		if (i != nv - 1)
			why = "statement without ; is not the last";
		else if (complete(t, end, "", 0) || !complete(t, end, ";", 1))
			why = "statement without ; does not end where complete() says";
	}
	for (p = 0, i = 0; p < n && !why; p++) {
		if (t[p] != ';')
			continue;
		while (i < nv && v[i].off + v[i].len <= p)
			i++;
		if (i < nv && p >= v[i].off) {
			if (complete(t, p + 1, "", 0) != (p == v[i].off + v[i].len - 1))
				why = p == v[i].off + v[i].len - 1 ?
				      "statement ends where complete() is false" :
				      "complete() is true inside a statement";
		} else {
			gap = i > 0 ? v[i - 1].off + v[i - 1].len : 0;
			x = i == 0 ? "" : t[gap - 1] == ';' ? ";" : "x";
			if (complete(t, p + 1, "", 0) != complete(x, strlen(x), t + gap, p + 1 - gap))
				why = "complete() disagrees between statements";
		}
	}
	free(v);
	return why;
}
