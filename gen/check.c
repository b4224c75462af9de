/*
** check.c: what a transactional migration may contain. No transaction
** control of its own (a file wrapped whole in BEGIN; ... COMMIT; is
** unwrapped instead), nothing the database refuses inside a transaction,
** and, on PostgreSQL, no use of an enum value added in the same one.
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "check.h"

enum txkind { TX_NONE, TX_BEGIN, TX_COMMIT, TX_ROLLBACK };

static enum txkind
txkind(const struct stmt *s)
{
	const char *k0 = s->kw[0], *k1 = s->kw[1], *k2 = s->kw[2];

	if (strcmp(k0, "begin") == 0 || (strcmp(k0, "start") == 0 && strcmp(k1, "transaction") == 0))
		return TX_BEGIN;
	if (strcmp(k0, "commit") == 0 || strcmp(k0, "end") == 0)
		return TX_COMMIT;
	if (strcmp(k0, "rollback") == 0 || strcmp(k0, "abort") == 0) {
		/* ROLLBACK [TRANSACTION|WORK] TO [SAVEPOINT] x stays inside the transaction. */
		if (strcmp(k1, "to") == 0 || strcmp(k2, "to") == 0)
			return TX_NONE;
		return TX_ROLLBACK;
	}
	return TX_NONE;
}

static const char *const txword[] = { "", "BEGIN", "COMMIT", "ROLLBACK" };

/*
** A token of one PostgreSQL statement, for the few statements whose shape
** matters past kw[] (REINDEX, ALTER TYPE ... ADD VALUE): a word (a run of
** [A-Za-z0-9_$\x80-\xff]), a '...' string or "..." identifier with its
** doubled quotes, or any other single byte; blanks and comments between
** tokens are skipped. Those statements hold no dollar quotes, so this is
** all they need (an E'' string reads as the word E and a '' string, so an
** ADD VALUE E'v' goes unnoticed), and the scanner has already checked that
** every quote and comment closes.
*/
struct pgtok {
	const char *p;  /* NULL past the statement's last token */
	size_t n;
};

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

/* Read the token at or after t[*i] (before end) into *k; *i moves past it. */
static void
pgnext(const char *t, size_t *i, size_t end, struct pgtok *k)
{
	size_t p = skipblank(t, *i, end), q = p + 1;

	if (p == end) {
		k->p = NULL;
		k->n = 0;
		*i = end;
		return;
	}
	if (iswordbyte((unsigned char)t[p])) {
		while (q < end && iswordbyte((unsigned char)t[q]))
			q++;
	} else if (t[p] == '\'' || t[p] == '"') {
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
static int
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

/*
** REINDEX [(option, ...)] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM}
** [CONCURRENTLY] name: the name PostgreSQL gives it when it refuses it
** inside a transaction block, or NULL. SCHEMA, DATABASE and SYSTEM commit
** table by table, so always; INDEX and TABLE only when concurrent, asked
** for after the kind or as the option CONCURRENTLY [true|on|1] (false,
** off or 0 turn it off).
*/
static const char *
reindexname(const char *text, const struct stmt *s)
{
	size_t i = s->off, end = s->off + s->len;
	struct pgtok k, kind;
	int conc = 0, prevconc = 0;

	pgnext(text, &i, end, &k);  /* REINDEX */
	pgnext(text, &i, end, &k);
	if (tokis(&k, "(")) {
		for (pgnext(text, &i, end, &k); k.p && !tokis(&k, ")"); pgnext(text, &i, end, &k)) {
			if (prevconc && (tokis(&k, "false") || tokis(&k, "off") || tokis(&k, "0")))
				conc = 0;
			prevconc = tokis(&k, "concurrently");
			if (prevconc)
				conc = 1;
		}
		pgnext(text, &i, end, &k);
	}
	kind = k;
	pgnext(text, &i, end, &k);
	if (tokis(&k, "concurrently"))
		conc = 1;
	if (tokis(&kind, "schema"))
		return "REINDEX SCHEMA";
	if (tokis(&kind, "database"))
		return "REINDEX DATABASE";
	if (tokis(&kind, "system"))
		return "REINDEX SYSTEM";
	if (conc && tokis(&kind, "index"))
		return "REINDEX INDEX CONCURRENTLY";
	if (conc && tokis(&kind, "table"))
		return "REINDEX TABLE CONCURRENTLY";
	return NULL;
}

/* PostgreSQL statements that refuse to run inside a transaction block
** (PreventInTransactionBlock), told apart by their leading words. */
static const struct {
	const char *kw[SCAN_NKW];
	const char *name;
} pgnotx[] = {
	{{"create", "index", "concurrently"}, "CREATE INDEX CONCURRENTLY"},
	{{"create", "unique", "index", "concurrently"}, "CREATE UNIQUE INDEX CONCURRENTLY"},
	{{"drop", "index", "concurrently"}, "DROP INDEX CONCURRENTLY"},
	{{"create", "database"}, "CREATE DATABASE"},
	{{"drop", "database"}, "DROP DATABASE"},
	{{"create", "tablespace"}, "CREATE TABLESPACE"},
	{{"drop", "tablespace"}, "DROP TABLESPACE"},
	{{"alter", "system"}, "ALTER SYSTEM"},
};

/* Do s's leading words begin with those of w (NULL-padded)? */
static int
kwprefix(const struct stmt *s, const char *const w[SCAN_NKW])
{
	size_t j;

	for (j = 0; j < SCAN_NKW && w[j]; j++)
		if (strcmp(s->kw[j], w[j]) != 0)
			return 0;
	return 1;
}

/* The name of a statement that the database refuses to run inside a
** transaction, or NULL. VACUUM is refused by both. */
static const char *
notxname(enum dialect dialect, const char *text, const struct stmt *s)
{
	size_t j;

	if (strcmp(s->kw[0], "vacuum") == 0)
		return "VACUUM";
	if (dialect != DIALECT_POSTGRES)
		return NULL;
	if (strcmp(s->kw[0], "reindex") == 0)
		return reindexname(text, s);
	for (j = 0; j < sizeof(pgnotx) / sizeof(pgnotx[0]); j++)
		if (kwprefix(s, pgnotx[j].kw))
			return pgnotx[j].name;
	return NULL;
}

/*
** A file wrapped as a whole in BEGIN; ... COMMIT; loses the pair (*first
** and *count narrowed), so that its body, and the tracking row, commit in
** migc's own transaction.
*/
void
unwrap(const struct stmt *s, size_t *first, size_t *count)
{
	size_t i, n = *count;

	if (n < 2 || txkind(&s[0]) != TX_BEGIN || txkind(&s[n - 1]) != TX_COMMIT)
		return;
	for (i = 1; i < n - 1; i++)
		if (txkind(&s[i]) != TX_NONE)
			return;
	*first = 1;
	*count = n - 2;
}

/* Check the n statements of a transactional migration: no transaction
** control of its own, nothing that cannot run inside a transaction. */
void
checktx(const char *path, const char *text, enum dialect dialect,
        const struct stmt *s, size_t n, struct diags *d)
{
	const char *name;
	size_t i;

	for (i = 0; i < n; i++) {
		enum txkind k = txkind(&s[i]);

		if (k != TX_NONE)
			diagerror(d, path, s[i].line, s[i].col,
			          "%s inside a transactional migration: migc runs each migration in its own transaction "
			          "(remove it, wrap the whole file in one BEGIN; ... COMMIT; pair, "
			          "or add -- migc:no-transaction to manage transactions yourself)", txword[k]);
		else if ((name = notxname(dialect, text, &s[i])) != NULL)
			diagerror(d, path, s[i].line, s[i].col,
			          "%s cannot run inside a transaction: add -- migc:no-transaction to this file", name);
		else if (strcmp(s[i].kw[0], "pragma") == 0 && strcmp(s[i].kw[1], "foreign_keys") == 0)
			diagwarn(d, path, s[i].line, s[i].col,
			         "PRAGMA foreign_keys has no effect inside a transaction: use -- migc:foreign-keys-off");
	}
}

/*
** ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'v' ...: set *v to the 'v'
** literal as written, quotes and doubled quotes included, and return 1;
** 0 for any other statement. The name may be qualified and quoted.
*/
static int
addedvalue(const char *text, const struct stmt *s, struct pgtok *v)
{
	size_t i = s->off, end = s->off + s->len;
	struct pgtok k;

	if (strcmp(s->kw[0], "alter") != 0 || strcmp(s->kw[1], "type") != 0)
		return 0;
	pgnext(text, &i, end, &k);  /* ALTER */
	pgnext(text, &i, end, &k);  /* TYPE */
	pgnext(text, &i, end, &k);  /* the name, or its first part */
	for (pgnext(text, &i, end, &k); tokis(&k, "."); pgnext(text, &i, end, &k))
		pgnext(text, &i, end, &k);
	if (!tokis(&k, "add"))
		return 0;
	pgnext(text, &i, end, &k);
	if (!tokis(&k, "value"))
		return 0;
	pgnext(text, &i, end, &k);
	if (tokis(&k, "if")) {
		pgnext(text, &i, end, &k);  /* NOT */
		pgnext(text, &i, end, &k);  /* EXISTS */
		pgnext(text, &i, end, &k);
	}
	if (!k.p || k.p[0] != '\'')
		return 0;
	*v = k;
	return 1;
}

/* Does s's text hold the literal v, not as part of a longer string (a
** quote right before or after it would make it one)? */
static int
usesliteral(const char *text, const struct stmt *s, const struct pgtok *v)
{
	size_t i, end = s->off + s->len;

	for (i = s->off; i + v->n <= end; i++) {
		if (memcmp(text + i, v->p, v->n) != 0)
			continue;
		if ((i == s->off || text[i - 1] != '\'') && (i + v->n == end || text[i + v->n] != '\''))
			return 1;
	}
	return 0;
}

/*
** PostgreSQL refuses a value that ALTER TYPE ... ADD VALUE added until
** that transaction commits ("unsafe use of new value"): warn at each later
** statement of the n of a transactional migration that uses one. A use is
** a plain search for the literal, quotes included, in the statement's
** text: one in a comment inside the statement counts too, one in a DO
** block or function body rightly so. A later ADD VALUE (... AFTER 'v')
** is not a use.
*/
void
checkenum(const char *path, const char *text, const struct stmt *s, size_t n,
          struct diags *d)
{
	struct pgtok v;
	size_t i, j;

	for (j = 1; j < n; j++) {
		if (addedvalue(text, &s[j], &v))
			continue;
		for (i = 0; i < j; i++) {
			if (addedvalue(text, &s[i], &v) && usesliteral(text, &s[j], &v))
				diagwarn(d, path, s[j].line, s[j].col,
				         "uses enum value %.*s that ALTER TYPE ... ADD VALUE at line %lu added in the "
				         "same transaction; PostgreSQL rejects this (unsafe use of new value): "
				         "move it to a later migration or add -- migc:no-transaction",
				         (int)v.n, v.p, s[i].line);
		}
	}
}
