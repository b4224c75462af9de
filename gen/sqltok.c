/*
** sqltok.c: the tokens of one statement the scanner already split, for
** the checks (check.c) whose statements matter past their first words,
** and the value of a string literal among them. A file of its own: the
** checks read tokens, this reads bytes.
*/
#include <stddef.h>
#include <string.h>

#include "scan.h"
#include "sqltok.h"
#include "text.h"

static int
iswordbyte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

/* Skip blanks and comments (-- to the end of the line, nested C comments)
** from text[i]; returns where the next token starts, or end. */
static size_t
skipblank(const char *t, size_t i, size_t end)
{
	unsigned long depth;

	while (i < end) {
		if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' || t[i] == '\f') {
			i++;
		} else if (i + 1 < end && t[i] == '-' && t[i + 1] == '-') {
			while (i < end && t[i] != '\n' && t[i] != '\r')
				i++;
		} else if (i + 1 < end && t[i] == '/' && t[i + 1] == '*') {
			for (i += 2, depth = 1; i < end && depth > 0; i++) {
				if (i + 1 < end && t[i] == '/' && t[i + 1] == '*') {
					depth++;
					i++;
				} else if (i + 1 < end && t[i] == '*' && t[i + 1] == '/') {
					depth--;
					i++;
				}
			}
		} else {
			break;
		}
	}
	return i;
}

/* A dollar quote $tag$ ... $tag$ opening at t[p]: where it ends (past
** its closing delimiter, or end), or 0 when t[p] opens none. */
static size_t
dollarend(const char *t, size_t p, size_t end)
{
	size_t q = p + 1, n, i;

	if (q < end && t[q] != '$' && !(((t[q] | 0x20) >= 'a' && (t[q] | 0x20) <= 'z') || t[q] == '_' ||
	                                (unsigned char)t[q] >= 0x80))
		return 0;
	while (q < end && t[q] != '$' && iswordbyte((unsigned char)t[q]))
		q++;
	if (q == end || t[q] != '$')
		return 0;
	n = q + 1 - p;
	for (i = q + 1; i + n <= end; i++)
		if (t[i] == '$' && memcmp(t + i, t + p, n) == 0)
			return i + n;
	return end;
}

/* Read the token at or after t[*i] (before end) into *k; *i moves past it. */
void
pgnext(const char *t, size_t *i, size_t end, struct pgtok *k)
{
	size_t p = skipblank(t, *i, end), q = p + 1;

	if (p == end) {
		k->p = NULL;
		k->n = 0;
		*i = end;
		return;
	}
	if ((t[p] == 'e' || t[p] == 'E') && q < end && t[q] == '\'') {
		/* Through the closing quote; \ escapes a byte, '' is a quote. */
		for (q++; q < end; q++) {
			if (t[q] == '\\')
				q++;
			else if (t[q] == '\'' && (q + 1 == end || t[q + 1] != '\''))
				break;
			else if (t[q] == '\'')
				q++;
		}
		q = q < end ? q + 1 : end;
	} else if (t[p] == '$' && (q = dollarend(t, p, end)) != 0) {
		/* q is past the closing delimiter. */
	} else if (iswordbyte((unsigned char)t[p])) {
		for (q = p + 1; q < end && iswordbyte((unsigned char)t[q]); q++)
			;
	} else if (t[p] == '\'' || t[p] == '"') {
		q = p + 1;
		/* Through the closing quote; a doubled one is part of the text. */
		while (q < end) {
			if (t[q++] != t[p])
				continue;
			if (q == end || t[q] != t[p])
				break;
			q++;
		}
	}
	k->p = t + p;
	k->n = q - p;
	*i = q;
}

/* Is k the word (or punctuation) w, in any case? ASCII only, so the
** locale plays no part. */
int
tokis(const struct pgtok *k, const char *w)
{
	size_t j;

	if (!k->p || strlen(w) != k->n)
		return 0;
	for (j = 0; j < k->n; j++) {
		char c = k->p[j];

		if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != w[j])
			return 0;
	}
	return 1;
}

/* Line and column of text[off], a byte of statement s. */
void
placeat(const char *text, const struct stmt *s, size_t off, unsigned long *line, unsigned long *col)
{
	*line = s->line;
	migc__place(text, s->off, off, s->off - (s->col - 1), line, col);
}

/* Read a name, possibly qualified (a.b.c): *k becomes the token after it. */
void
skipname(const char *t, size_t *i, size_t end, struct pgtok *k)
{
	pgnext(t, i, end, k);
	for (pgnext(t, i, end, k); tokis(k, "."); pgnext(t, i, end, k))
		pgnext(t, i, end, k);
}

/* Is k the name w, bare or quoted ("w", 'w', `w`), in any case? */
int
nameis(const struct pgtok *k, const char *w)
{
	struct pgtok in;

	if (tokis(k, w))
		return 1;
	if (!k->p || k->n < 2 || (k->p[0] != '"' && k->p[0] != '\'' && k->p[0] != '`') || k->p[k->n - 1] != k->p[0])
		return 0;
	in.p = k->p + 1;
	in.n = k->n - 2;
	return tokis(&in, w);
}

static int
hexdigit(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* Up to max hex digits of t[*j..n) as a number; *j moves past them. */
static unsigned long
hexrun(const char *t, size_t *j, size_t n, int max)
{
	unsigned long v = 0;

	for (; max > 0 && *j < n && hexdigit((unsigned char)t[*j]) >= 0; max--, ++*j)
		v = v * 16 + (unsigned long)hexdigit((unsigned char)t[*j]);
	return v;
}

/*
** The value of the string token k, '...' or E'...' (PostgreSQL's escapes:
** \b \f \n \r \t, octal, \x, \u and \U as UTF-8, any other byte as
** itself), into out, NUL-terminated; 0 when it is no string or does not
** fit in cap bytes.
*/
int
strvalue(const struct pgtok *k, char *out, size_t cap)
{
	const char *t = k->p;
	size_t j, n = k->n - 1, o = 0;
	int esc = (t[0] | 0x20) == 'e';
	unsigned long c;

	if (k->n < 2 || t[n] != '\'')
		return 0;
	for (j = esc ? 2 : 1; j < n; ) {
		if (o + 4 >= cap)
			return 0;
		if (t[j] == '\'') {
			out[o++] = '\'';
			j += 2;
		} else if (!esc || t[j] != '\\' || j + 1 >= n) {
			out[o++] = t[j++];
		} else {
			j++;
			switch (t[j]) {
			case 'b': out[o++] = '\b'; j++; continue;
			case 'f': out[o++] = '\f'; j++; continue;
			case 'n': out[o++] = '\n'; j++; continue;
			case 'r': out[o++] = '\r'; j++; continue;
			case 't': out[o++] = '\t'; j++; continue;
			case 'x': j++; out[o++] = (char)hexrun(t, &j, n, 2); continue;
			case 'u': j++; c = hexrun(t, &j, n, 4); break;
			case 'U': j++; c = hexrun(t, &j, n, 8); break;
			default:
				if (t[j] >= '0' && t[j] <= '7') {
					size_t e = j + 3;

					for (c = 0; j < n && j < e && t[j] >= '0' && t[j] <= '7'; j++)
						c = c * 8 + (unsigned long)(t[j] - '0');
					out[o++] = (char)c;
				} else {
					out[o++] = t[j++];
				}
				continue;
			}
			/* \u or \U: the code point c as UTF-8. */
			if (c < 0x80) {
				out[o++] = (char)c;
			} else if (c < 0x800) {
				out[o++] = (char)(0xC0 | c >> 6);
				out[o++] = (char)(0x80 | (c & 0x3F));
			} else if (c < 0x10000) {
				out[o++] = (char)(0xE0 | c >> 12);
				out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
				out[o++] = (char)(0x80 | (c & 0x3F));
			} else {
				out[o++] = (char)(0xF0 | (c >> 18 & 0x07));
				out[o++] = (char)(0x80 | (c >> 12 & 0x3F));
				out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
				out[o++] = (char)(0x80 | (c & 0x3F));
			}
		}
	}
	out[o] = '\0';
	return 1;
}

size_t
dollardelim(const struct pgtok *k)
{
	size_t d;

	if (!k->p || k->p[0] != '$')
		return 0;
	for (d = 1; d < k->n && k->p[d] != '$'; d++)
		;
	if (d++ >= k->n)
		return 0;
	return 2 * d <= k->n && memcmp(k->p, k->p + k->n - d, d) == 0 ? d : 0;
}
