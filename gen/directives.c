/*
** directives.c: what a migration's leading comment block asks of migc.
** A line of blanks, "--", blanks and "migc:" is a directive; the block
** ends at the first statement, where the scanner says (it also refuses a
** directive past it, gen/lex.re), or, for migc hash and check, which do
** not split statements, at the first line that is neither blank nor "--".
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "duration.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "directives.h"
#include "lint.h"

static int
ischecksum(const char *p, size_t n)
{
	size_t i;

	if (n != 67 || memcmp(p, "c1:", 3) != 0)
		return 0;
	for (i = 3; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

/*
** migc:lock-timeout DURATION | off: the word at text[a..*w) (*w past it)
** into dv->lock_timeout_ms. The same durations as --ddl-lock-timeout;
** off, or a zero duration, is MIGC_LOCK_TIMEOUT_OFF (lock_timeout 0,
** whatever the run sets). One per file, PostgreSQL only.
*/
static void
locktimeout(const char *path, const char *text, size_t *w, size_t eol, unsigned long line, unsigned long col,
            size_t bol, enum dialect dialect, struct directives *dv, struct diags *d)
{
	size_t a = *w;
	long ms;

	while (*w < eol && text[*w] != ' ' && text[*w] != '\t')
		(*w)++;
	if (dv->lock_timeout_line) {
		diagerror(d, path, line, col, "migc:lock-timeout is given twice (first on line %lu)",
		          dv->lock_timeout_line);
		*w = eol;
		return;
	}
	dv->lock_timeout_line = line;
	if (dialect == DIALECT_SQLITE)
		diagerror(d, path, line, col, "migc:lock-timeout is for PostgreSQL only: SQLite's only lock is the "
		          "migration lock (--lock-timeout)");
	if (*w == a) {
		diagerror(d, path, line, col, "migc:lock-timeout needs a duration: " MIGC__DURATION_FORMS ", or off");
	} else if (*w - a == 3 && memcmp(text + a, "off", 3) == 0) {
		dv->lock_timeout_ms = MIGC_LOCK_TIMEOUT_OFF;
	} else if (migc__parseduration(text + a, *w - a, &ms) != 0) {
		diagerror(d, path, line, (unsigned long)(a - bol) + 1,
		          "migc:lock-timeout: '%.*s' is not a duration: " MIGC__DURATION_FORMS ", or off",
		          (int)(*w - a), text + a);
		*w = eol;
	} else {
		dv->lock_timeout_ms = ms > 0 ? ms : MIGC_LOCK_TIMEOUT_OFF;
	}
	while (*w < eol && (text[*w] == ' ' || text[*w] == '\t'))
		(*w)++;
}

/*
** migc:irreversible REASON: the rest of the line, blanks around it left
** out, is why the migration cannot be reverted (down names it when it
** refuses). Once per file, and a reason is required.
*/
static void
irreversible(const char *path, const char *text, size_t *w, size_t eol, unsigned long line, unsigned long col,
             struct directives *dv, struct diags *d)
{
	size_t end = eol;

	while (end > *w && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
		end--;
	if (dv->irreversible_line) {
		diagerror(d, path, line, col, "migc:irreversible is given twice (first on line %lu)", dv->irreversible_line);
	} else if (end == *w) {
		diagerror(d, path, line, col, "migc:irreversible needs a reason: why the migration cannot be "
		          "reverted, which down prints when it refuses");
	} else if (end - *w > 200) {
		diagerror(d, path, line, col, "migc:irreversible: the reason is %lu bytes; at most 200",
		          (unsigned long)(end - *w));
	} else {
		dv->irreversible = xmemdup(text + *w, end - *w);
		dv->irreversible_line = line;
	}
	*w = eol;
}

/* migc:allow RULE[,RULE]: the rest of the line names lint rules this
** file's statements may break; an unknown name is an error. */
static void
allow(const char *path, const char *text, size_t *w, size_t eol, unsigned long line, unsigned long col,
      size_t bol, struct directives *dv, struct diags *d)
{
	size_t end = eol, nbad;
	const char *bad;

	while (end > *w && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r'))
		end--;
	if (end == *w)
		diagerror(d, path, line, col, "migc:allow needs a lint rule: one or more of %s, comma-separated",
		          lintrulenames);
	else if (lintrules(text + *w, end - *w, &dv->allow, &bad, &nbad) != 0)
		diagerror(d, path, line, (unsigned long)(bad - text - bol) + 1, "migc:allow: unknown lint rule '%.*s' "
		          "(known: %s)", (int)nbad, bad, lintrulenames);
	*w = eol;
}

/* Read one directive: the word at text[q..eol), its argument after it. */
static void
directive(const char *path, const char *text, size_t q, size_t eol, unsigned long line,
          unsigned long col, size_t bol, enum dialect dialect, struct directives *dv, struct diags *d)
{
	size_t w, a, len;

	for (w = q; w < eol && text[w] != ' ' && text[w] != '\t'; w++)
		;
	len = w - q;
	while (w < eol && (text[w] == ' ' || text[w] == '\t'))
		w++;
	if (len == 14 && memcmp(text + q, "no-transaction", 14) == 0) {
		dv->flags |= MIGC_NO_TRANSACTION;
	} else if (len == 16 && memcmp(text + q, "foreign-keys-off", 16) == 0) {
		if (dialect == DIALECT_POSTGRES)
			diagerror(d, path, line, col, "migc:foreign-keys-off is for SQLite only");
		dv->flags |= MIGC_FOREIGN_KEYS_OFF;
	} else if (len == 15 && memcmp(text + q, "foreign-keys-on", 15) == 0) {
		if (dialect == DIALECT_POSTGRES)
			diagerror(d, path, line, col, "migc:foreign-keys-on is for SQLite only");
		dv->flags |= MIGC_FOREIGN_KEYS_ON;
	} else if (len == 11 && memcmp(text + q, "also-accept", 11) == 0) {
		for (a = w; w < eol && text[w] != ' ' && text[w] != '\t'; w++)
			;
		if (!ischecksum(text + a, w - a)) {
			diagerror(d, path, line, (unsigned long)(a - bol) + 1,
			          "migc:also-accept needs a checksum c1: and 64 lower-case hex digits");
			return;
		}
		dv->accept = xreallocarray(dv->accept, dv->naccept + 1, sizeof(*dv->accept));
		dv->accept[dv->naccept++] = xmemdup(text + a, w - a);
		while (w < eol && (text[w] == ' ' || text[w] == '\t'))
			w++;
	} else if (len == 12 && memcmp(text + q, "lock-timeout", 12) == 0) {
		locktimeout(path, text, &w, eol, line, col, bol, dialect, dv, d);
	} else if (len == 12 && memcmp(text + q, "irreversible", 12) == 0) {
		irreversible(path, text, &w, eol, line, col, dv, d);
	} else if (len == 5 && memcmp(text + q, "allow", 5) == 0) {
		allow(path, text, &w, eol, line, col, bol, dv, d);
	} else if (len == 9 && memcmp(text + q, "no-replay", 9) == 0) {
		if (dv->noreplay_line)
			diagerror(d, path, line, col, "migc:no-replay is given twice (first on line %lu)", dv->noreplay_line);
		dv->noreplay_line = line;
	} else {
		diagerror(d, path, line, col,
		          "unknown directive 'migc:%.*s' (known: migc:no-transaction, migc:foreign-keys-off, "
		          "migc:foreign-keys-on, migc:also-accept, migc:lock-timeout, migc:irreversible, migc:allow, "
		          "migc:no-replay)",
		          (int)len, text + q);
		return;
	}
	if (w < eol)
		diagerror(d, path, line, (unsigned long)(w - bol) + 1, "unexpected text after directive");
}

void
readdirectives(const char *path, const char *text, size_t end, enum dialect dialect,
               struct directives *dv, struct diags *d)
{
	unsigned long line = 1;
	size_t i = 0;

	while (i < end) {
		size_t eol = i, p = i;

		while (eol < end && text[eol] != '\n')
			eol++;
		while (p < eol && (text[p] == ' ' || text[p] == '\t'))
			p++;
		if (eol - p >= 2 && text[p] == '-' && text[p + 1] == '-') {
			size_t q = p + 2;

			while (q < eol && (text[q] == ' ' || text[q] == '\t'))
				q++;
			if (eol - q >= 5 && memcmp(text + q, "migc:", 5) == 0)
				directive(path, text, q + 5, eol, line, (unsigned long)(q - i) + 1, i, dialect, dv, d);
		}
		i = eol + 1;
		line++;
	}
	if ((dv->flags & MIGC_NO_TRANSACTION) && (dv->flags & MIGC_FOREIGN_KEYS_OFF))
		diagerror(d, path, 0, 0, "migc:foreign-keys-off needs a transaction: it cannot be combined with migc:no-transaction");
	if ((dv->flags & MIGC_FOREIGN_KEYS_OFF) && (dv->flags & MIGC_FOREIGN_KEYS_ON))
		diagerror(d, path, 0, 0, "migc:foreign-keys-off and migc:foreign-keys-on contradict each other");
}

void
freedirectives(struct directives *dv)
{
	while (dv->accept && dv->naccept > 0)
		free(dv->accept[--dv->naccept]);
	free(dv->accept);
	free(dv->irreversible);
	dv->accept = NULL;
	dv->irreversible = NULL;
}

size_t
leadingend(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t p = i;

		while (p < len && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r'))
			p++;
		if (p < len && text[p] != '\n' && !(p + 1 < len && text[p] == '-' && text[p + 1] == '-'))
			return i;
		while (p < len && text[p] != '\n')
			p++;
		i = p + 1;
	}
	return len;
}

void
scriptdirectives(const struct migc_script *sc, enum dialect dialect, struct directives *dv)
{
	struct diags scratch = {{0}, 0, 0, 0};

	readdirectives("", sc->sql, sc->nstmts ? sc->stmts[0].offset : sc->length, dialect, dv, &scratch);
	buffree(&scratch.text);
}
