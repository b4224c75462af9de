/*
** check.c: what a migration may contain. A transactional one: no
** transaction control of its own (a file wrapped whole in BEGIN; ...
** COMMIT; is unwrapped instead), nothing the database refuses or silently
** ignores inside a transaction, and, on PostgreSQL, no use of an enum
** value added in the same one. Any migration: no setting that would make
** the database read the SQL otherwise than migc split it, or that has no
** effect once the database exists.
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "sqltok.h"
#include "layout.h"
#include "check.h"

enum txkind { TX_NONE, TX_BEGIN, TX_COMMIT, TX_ROLLBACK, TX_PREPARE };

static enum txkind
txkind(const struct stmt *s)
{
	const char *k0 = s->kw[0], *k1 = s->kw[1], *k2 = s->kw[2];

	if (strcmp(k0, "begin") == 0 || (strcmp(k0, "start") == 0 && strcmp(k1, "transaction") == 0))
		return TX_BEGIN;
	if (strcmp(k0, "commit") == 0 || strcmp(k0, "end") == 0)
		return TX_COMMIT;
	if (strcmp(k0, "prepare") == 0 && strcmp(k1, "transaction") == 0)
		return TX_PREPARE;
	if (strcmp(k0, "rollback") == 0 || strcmp(k0, "abort") == 0) {
		/* ROLLBACK [TRANSACTION|WORK] TO [SAVEPOINT] x stays inside the transaction. */
		if (strcmp(k1, "to") == 0 || strcmp(k2, "to") == 0)
			return TX_NONE;
		return TX_ROLLBACK;
	}
	return TX_NONE;
}

static const char *const txword[] = { "", "BEGIN", "COMMIT", "ROLLBACK", "PREPARE TRANSACTION" };

/*
** ALTER TABLE [IF EXISTS] [ONLY] name DETACH PARTITION name CONCURRENTLY,
** which PostgreSQL refuses inside a transaction block (a plain DETACH,
** or DETACH ... FINALIZE, is fine).
*/
static int
detachconcurrently(const char *text, const struct stmt *s)
{
	size_t i = s->off, end = s->off + s->len;
	struct pgtok k;

	if (strcmp(s->kw[0], "alter") != 0 || strcmp(s->kw[1], "table") != 0)
		return 0;
	for (pgnext(text, &i, end, &k); k.p; pgnext(text, &i, end, &k)) {
		if (!tokis(&k, "detach"))
			continue;
		pgnext(text, &i, end, &k);
		if (!tokis(&k, "partition"))
			continue;
		skipname(text, &i, end, &k);
		return tokis(&k, "concurrently");
	}
	return 0;
}

/*
** Where a DO block's PL/pgSQL body (a dollar quote or a '...' string,
** with LANGUAGE plpgsql or none) ends its transaction: the offset of a
** COMMIT or ROLLBACK that begins a PL/pgSQL statement (after ";", BEGIN,
** THEN, ELSE, LOOP or at the start), or 0. Inside a transaction block
** PostgreSQL refuses it ("invalid transaction termination").
*/
static size_t
docommit(const char *text, const struct stmt *s)
{
	size_t i = s->off, end = s->off + s->len, b, bend, d;
	struct pgtok k, body = { NULL, 0 }, prev = { NULL, 0 };
	int plpgsql = 1;

	if (strcmp(s->kw[0], "do") != 0)
		return 0;
	for (pgnext(text, &i, end, &k); k.p; pgnext(text, &i, end, &k)) {
		if (tokis(&k, "language")) {
			pgnext(text, &i, end, &k);
			plpgsql = tokis(&k, "plpgsql") || tokis(&k, "'plpgsql'") || tokis(&k, "\"plpgsql\"");
		} else if (!body.p && (dollardelim(&k) || (k.p[0] == '\'' && k.n >= 2))) {
			body = k;
		}
	}
	if (!body.p || !plpgsql)
		return 0;
	d = body.p[0] == '$' ? dollardelim(&body) : 1;
	b = (size_t)(body.p - text) + d;
	bend = (size_t)(body.p - text) + body.n - d;
	for (i = b, pgnext(text, &i, bend, &k); k.p; prev = k, pgnext(text, &i, bend, &k)) {
		if ((tokis(&k, "commit") || tokis(&k, "rollback")) &&
		    (!prev.p || tokis(&prev, ";") || tokis(&prev, "begin") || tokis(&prev, "then") ||
		     tokis(&prev, "else") || tokis(&prev, "loop")))
			return (size_t)(k.p - text);
	}
	return 0;
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
	if (detachconcurrently(text, s))
		return "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY";
	for (j = 0; j < sizeof(pgnotx) / sizeof(pgnotx[0]); j++)
		if (kwprefix(s, pgnotx[j].kw))
			return pgnotx[j].name;
	return NULL;
}

/*
** SQLite: PRAGMA [schema.]name = value, or name(value), setting one of
** names[] (NULL-terminated): the index of that name, or -1 (also for a
** PRAGMA that only reads the setting).
*/
static int
pragmaset(const char *text, const struct stmt *s, const char *const *names)
{
	size_t i = s->off, end = s->off + s->len;
	struct pgtok k, name;
	int j;

	if (strcmp(s->kw[0], "pragma") != 0)
		return -1;
	pgnext(text, &i, end, &k);  /* PRAGMA */
	pgnext(text, &i, end, &name);
	pgnext(text, &i, end, &k);
	if (tokis(&k, ".")) {
		pgnext(text, &i, end, &name);
		pgnext(text, &i, end, &k);
	}
	if (!tokis(&k, "=") && !tokis(&k, "("))
		return -1;
	for (j = 0; names[j]; j++)
		if (nameis(&name, names[j]))
			return j;
	return -1;
}

/* SQLite settings kept in the database file that a transaction silently
** leaves as they are (and what else they need). */
static const char *const txpragmas[] = { "journal_mode", "page_size", "auto_vacuum", NULL };
static const char *const txpragmahow[] = {
	" (only WAL persists in the database file; other modes last for migc's connection alone)",
	" and run VACUUM after it", " and run VACUUM after it",
};

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

int
allnotx(enum dialect dialect, const char *text, const struct stmt *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!notxname(dialect, text, &s[i]))
			return 0;
	return n > 0;
}

/* Check the n statements of a transactional migration: no transaction
** control of its own, nothing that cannot run inside a transaction. */
void
checktx(const char *path, const char *text, enum dialect dialect, const struct notxhint *hint,
        const struct stmt *s, size_t n, struct diags *d)
{
	const char *name;
	unsigned long line, col;
	size_t i, at;
	int j;

	for (i = 0; i < n; i++) {
		enum txkind k = txkind(&s[i]);

		if (k == TX_PREPARE)
			diagerror(d, path, s[i].line, s[i].col,
			          "PREPARE TRANSACTION inside a transactional migration: it would end migc's transaction "
			          "uncommitted, its changes left prepared and holding their locks, while migc records the "
			          "migration as applied (remove it, or add %s to manage transactions yourself)", hint->what);
		else if (k != TX_NONE)
			diagerror(d, path, s[i].line, s[i].col,
			          "%s inside a transactional migration: migc runs each migration in its own transaction "
			          "(remove it, wrap the whole file in one BEGIN; ... COMMIT; pair, "
			          "or add %s to manage transactions yourself)", txword[k], hint->what);
		else if ((name = notxname(dialect, text, &s[i])) != NULL)
			diagerror(d, path, s[i].line, s[i].col,
			          "%s cannot run inside a transaction: add %s%s", name, hint->what, hint->where);
		else if (dialect == DIALECT_POSTGRES && (at = docommit(text, &s[i])) != 0) {
			placeat(text, &s[i], at, &line, &col);
			diagerror(d, path, line, col, "%s in a DO block cannot run inside a transaction (PostgreSQL: "
			          "invalid transaction termination): add %s%s",
			          (text[at] | 0x20) == 'c' ? "COMMIT" : "ROLLBACK", hint->what, hint->where);
		} else if (dialect == DIALECT_SQLITE && (j = pragmaset(text, &s[i], txpragmas)) >= 0)
			diagerror(d, path, s[i].line, s[i].col,
			          "PRAGMA %s has no effect inside a transaction: add %s%s%s",
			          txpragmas[j], hint->what, hint->where, txpragmahow[j]);
		else if (strcmp(s[i].kw[0], "pragma") == 0 && strcmp(s[i].kw[1], "foreign_keys") == 0)
			diagwarn(d, path, s[i].line, s[i].col,
			         "PRAGMA foreign_keys has no effect inside a transaction: use -- migc:foreign-keys-off");
	}
}

/* Does the value token k turn a boolean setting on, as PostgreSQL's
** parse_bool reads it (on, 1, the prefixes of true and yes), bare or
** quoted? DEFAULT does too: it is what the session started with. */
static int
ison(const struct pgtok *k)
{
	const char *p = k->p;
	size_t n = k->n, j;
	char w[8];

	if (!p)
		return 0;
	if (n >= 2 && (p[0] == '\'' || p[0] == '"') && p[n - 1] == p[0]) {
		p++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(w))
		return 0;
	for (j = 0; j < n; j++)
		w[j] = (char)(p[j] >= 'A' && p[j] <= 'Z' ? p[j] - 'A' + 'a' : p[j]);
	w[n] = '\0';
	return strcmp(w, "on") == 0 || strcmp(w, "1") == 0 || strncmp("true", w, n) == 0 ||
	       strncmp("yes", w, n) == 0 || strcmp(w, "default") == 0;
}

/*
** Where text[from..end), a statement or a dollar-quoted body inside one
** (a DO block's, a function's), sets standard_conforming_strings to
** anything but on: SET [SESSION|LOCAL], ALTER DATABASE|ROLE|SYSTEM ... SET
** name {=|TO} value, or set_config('name', value, ...). Returns the offset
** of the setting's name, or 0. RESET is fine.
*/
/* Where s calls pg_advisory_unlock_all (in any case, in a function body
** too), or 0. */
static size_t
unlockall(const char *t, const struct stmt *s)
{
	static const char name[] = "pg_advisory_unlock_all";
	size_t i, j, n = sizeof(name) - 1;

	for (i = s->off; i + n <= s->off + s->len; i++) {
		for (j = 0; j < n; j++) {
			char c = t[i + j];

			if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != name[j])
				break;
		}
		if (j == n)
			return i;
	}
	return 0;
}

static size_t
scsoff(const char *t, size_t from, size_t end, int depth)
{
	static const char name[] = "standard_conforming_strings";
	struct pgtok k, p1 = { NULL, 0 }, p2 = { NULL, 0 };
	size_t i = from, at, d;

	for (pgnext(t, &i, end, &k); k.p; p2 = p1, p1 = k, pgnext(t, &i, end, &k)) {
		if ((d = dollardelim(&k)) != 0) {
			if (depth < 4 && (at = scsoff(t, (size_t)(k.p - t) + d, (size_t)(k.p - t) + k.n - d, depth + 1)))
				return at;
		} else if (k.p[0] != '\'' && nameis(&k, name) &&
		           (tokis(&p1, "set") || tokis(&p1, "session") || tokis(&p1, "local"))) {
			at = (size_t)(k.p - t);
			pgnext(t, &i, end, &k);
			if (tokis(&k, "=") || tokis(&k, "to"))
				pgnext(t, &i, end, &k);
			if (!ison(&k))
				return at;
		} else if (k.p[0] == '\'' && nameis(&k, name) && tokis(&p1, "(") && tokis(&p2, "set_config")) {
			at = (size_t)(k.p - t);
			pgnext(t, &i, end, &k);
			if (tokis(&k, ","))
				pgnext(t, &i, end, &k);
			if (!ison(&k))
				return at;
		}
	}
	return 0;
}

/*
** The checks for any migration, transactional or not. PostgreSQL: no
** standard_conforming_strings but on, since migc splits (and the server
** parses a whole transactional migration, sent as one message) with it on,
** where psql would follow the setting: the same text would run other SQL.
** SQLite: no PRAGMA encoding, which only a database not yet created takes,
** and migc's tracking table creates it before any migration runs.
*/
void
checksettings(const char *path, const char *text, enum dialect dialect,
              const struct stmt *s, size_t n, struct diags *d)
{
	static const char *const encoding[] = { "encoding", NULL };
	unsigned long line, col;
	size_t i, at;

	for (i = 0; i < n; i++) {
		if (dialect == DIALECT_POSTGRES && strcmp(s[i].kw[0], "discard") == 0 &&
		    (strcmp(s[i].kw[1], "all") == 0 || s[i].kw[1][0] == '\0')) {
			diagerror(d, path, s[i].line, s[i].col, "DISCARD ALL releases migc's migration lock, which the run "
			          "holds so that no other migrator comes between two migrations: migc puts the session "
			          "back after every migration itself (use DISCARD TEMP, DISCARD PLANS or RESET ALL if needed)");
		} else if (dialect == DIALECT_POSTGRES && (at = unlockall(text, &s[i])) != 0) {
			placeat(text, &s[i], at, &line, &col);
			diagerror(d, path, line, col, "pg_advisory_unlock_all() releases migc's migration lock, which the "
			          "run holds so that no other migrator comes between two migrations: unlock only the "
			          "locks the migration took, with pg_advisory_unlock(key)");
		} else if (dialect == DIALECT_POSTGRES && (at = scsoff(text, s[i].off, s[i].off + s[i].len, 0)) != 0) {
			placeat(text, &s[i], at, &line, &col);
			diagerror(d, path, line, col, "standard_conforming_strings = off is not supported: migc reads every "
			          "'...' string as the server does with it on, a backslash as a plain character "
			          "(write escapes in E'...' strings)");
		} else if (dialect == DIALECT_SQLITE && pragmaset(text, &s[i], encoding) >= 0) {
			diagerror(d, path, s[i].line, s[i].col, "PRAGMA encoding has no effect on a database that exists, and "
			          "migc's tracking table creates it before any migration runs: set the encoding where the "
			          "application creates the database");
		}
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
	if (!k.p || (k.p[0] != '\'' && !((k.p[0] | 0x20) == 'e' && k.n > 1 && k.p[1] == '\'')))
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
** Does s use the value of the literal v ('...' or E'...')? It does where
** its text holds v as written, or the value as a plain '...' literal (a
** plain search: in a comment inside the statement too, in a DO block or
** function body rightly so), or has an E'...' string of that value.
*/
static int
usesvalue(const char *text, const struct stmt *s, const struct pgtok *v)
{
	char val[256], other[256], lit[2 * sizeof(val) + 2];
	size_t i = s->off, end = s->off + s->len, n = 0, j;
	struct pgtok k, plain;

	if (usesliteral(text, s, v))
		return 1;
	if (!strvalue(v, val, sizeof(val)))
		return 0;
	lit[n++] = '\'';
	for (j = 0; val[j]; j++) {
		if (val[j] == '\'')
			lit[n++] = '\'';
		lit[n++] = val[j];
	}
	lit[n++] = '\'';
	plain.p = lit;
	plain.n = n;
	if (usesliteral(text, s, &plain))
		return 1;
	for (pgnext(text, &i, end, &k); k.p; pgnext(text, &i, end, &k))
		if ((k.p[0] | 0x20) == 'e' && k.n > 1 && k.p[1] == '\'' && strvalue(&k, other, sizeof(other)) &&
		    strcmp(other, val) == 0)
			return 1;
	return 0;
}

/*
** PostgreSQL refuses a value that ALTER TYPE ... ADD VALUE added until
** that transaction commits ("unsafe use of new value"): warn at each later
** statement of the n of a transactional migration that uses one
** (usesvalue). A later ADD VALUE (... AFTER 'v') is not a use.
*/
void
checkenum(const char *path, const char *text, const struct notxhint *hint, const struct stmt *s, size_t n,
          struct diags *d)
{
	struct pgtok v;
	size_t i, j;

	for (j = 1; j < n; j++) {
		if (addedvalue(text, &s[j], &v))
			continue;
		for (i = 0; i < j; i++) {
			if (addedvalue(text, &s[i], &v) && usesvalue(text, &s[j], &v))
				diagwarn(d, path, s[j].line, s[j].col,
				         "uses enum value %.*s that ALTER TYPE ... ADD VALUE at line %lu added in the "
				         "same transaction; PostgreSQL rejects this (unsafe use of new value): "
				         "move it to a later migration or add %s",
				         (int)v.n, v.p, s[i].line, hint->what);
		}
	}
}
