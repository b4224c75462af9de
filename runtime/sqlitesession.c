/*
** sqlitesession.c: what a SQLite up or down run remembers of the
** connection when it begins, and puts back after each migration: the
** connection's PRAGMAs, its attached databases and its temporary
** objects. So no migration's PRAGMA, ATTACH or TEMP table reaches the
** next one (a one-run deploy and a many-run deploy do the same), the
** tracking row is written under the run's settings, and an application's
** own connection (migc_wrap_sqlite) ends the run as it began it.
**
** Reading every PRAGMA after every migration would cost more than many
** migrations do, so the driver tells this file what each statement is
** (sqlitesessionnote): only a migration that ran a PRAGMA, an ATTACH or a
** CREATE gets anything read back. Foreign keys are the engine's business
** (engine.c), the busy timeout the driver's (sqlite.c), and journal_mode
** and the database's own PRAGMAs (user_version, page_size, ...) are what
** migrations are for, and stay.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "migc.h"
#include "internal.h"

#define DB(m) ((sqlite3 *)(m)->db)

/* The connection's PRAGMAs that a statement can set and read back. */
static const char *const pragmas[] = {
	"analysis_limit", "automatic_index", "cache_size", "cache_spill",
	"cell_size_check", "checkpoint_fullfsync", "count_changes", "empty_result_callbacks",
	"full_column_names", "fullfsync", "ignore_check_constraints", "journal_size_limit",
	"legacy_alter_table", "locking_mode", "mmap_size", "query_only", "read_uncommitted",
	"recursive_triggers", "reverse_unordered_selects", "secure_delete", "short_column_names",
	"synchronous", "temp_store", "threads", "trusted_schema", "wal_autocheckpoint",
	"writable_schema",
};
#define NPRAGMAS (sizeof(pragmas) / sizeof(pragmas[0]))

enum {
	DIRTY_PRAGMA = 1,       /* a PRAGMA ran */
	DIRTY_ATTACH = 2,       /* an ATTACH ran */
	DIRTY_CREATE = 4,       /* a CREATE ran: maybe a TEMP object */
	DIRTY_CASELIKE = 8      /* PRAGMA case_sensitive_like, which cannot be read */
};

struct names {
	char **v;
	size_t n;
};

struct sqlsession {
	char value[NPRAGMAS][32];       /* as PRAGMA x gave it at the start; "" unreadable */
	struct names dbs;               /* PRAGMA database_list at the start */
	struct names temps;             /* "type\tname" of sqlite_temp_schema at the start */
	unsigned dirty;
};

#define SESSION(m) ((struct sqlsession *)(m)->session)

static void
freenames(struct names *l)
{
	while (l->n > 0)
		free(l->v[--l->n]);
	free(l->v);
	l->v = NULL;
}

static int
hasname(const struct names *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* The first column of each row of sql ("a\tb" for two), into *l. */
static int
readnames(sqlite3 *db, const char *sql, struct names *l)
{
	sqlite3_stmt *st;
	int rc;

	l->v = NULL;
	l->n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = sqlite3_column_count(st) > 1 ? (const char *)sqlite3_column_text(st, 1) : NULL;
		size_t n = (a ? strlen(a) : 0) + (b ? strlen(b) + 1 : 0) + 1;
		char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
		char *s = malloc(n);

		if (v)
			l->v = v;
		if (!v || !s) {
			free(s);
			rc = SQLITE_NOMEM;
			break;
		}
		snprintf(s, n, b ? "%s\t%s" : "%s", a ? a : "", b ? b : "");
		l->v[l->n++] = s;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		freenames(l);
		return -1;
	}
	return 0;
}

/* PRAGMA name's value as text into out ("" when it has none). */
static void
readpragma(sqlite3 *db, const char *name, char out[32])
{
	char sql[64];
	sqlite3_stmt *st;

	out[0] = '\0';
	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 32, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* Is v a value SQLite itself gave (a number or a word), safe to paste? */
static int
plainvalue(const char *v)
{
	if (!*v)
		return 0;
	for (; *v; v++)
		if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || *v == '-'))
			return 0;
	return 1;
}

int
sqlitesessionsave(migc *m)
{
	struct sqlsession *s = calloc(1, sizeof(*s));
	size_t i;

	sqlitesessionfree(m);
	if (!s)
		return seterr(m, MIGC_NOMEM, "out of memory");
	for (i = 0; i < NPRAGMAS; i++)
		readpragma(DB(m), pragmas[i], s->value[i]);
	if (readnames(DB(m), "SELECT name FROM pragma_database_list", &s->dbs) != 0 ||
	    readnames(DB(m), "SELECT type, name FROM sqlite_temp_schema", &s->temps) != 0) {
		freenames(&s->dbs);
		free(s);
		return seterr(m, MIGC_ERROR, "cannot read the connection's state: %s", sqlite3_errmsg(DB(m)));
	}
	m->session = s;
	return MIGC_OK;
}

void
sqlitesessionfree(migc *m)
{
	struct sqlsession *s = SESSION(m);

	if (!s)
		return;
	freenames(&s->dbs);
	freenames(&s->temps);
	free(s);
	m->session = NULL;
}

/* Does the statement at sql, before end, start with the keyword kw? */
static int
startswith(const char *sql, const char *end, const char *kw)
{
	size_t n = strlen(kw), i;

	if ((size_t)(end - sql) < n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = sql[i];

		if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != kw[i])
			return 0;
	}
	return sql + n == end || !((sql[n] >= 'a' && sql[n] <= 'z') || (sql[n] >= 'A' && sql[n] <= 'Z') || sql[n] == '_');
}

/* Does sql[0..end) hold the word w, in any case? */
static int
mentions(const char *sql, const char *end, const char *w)
{
	for (; sql < end; sql++)
		if (startswith(sql, end, w))
			return 1;
	return 0;
}

void
sqlitesessionnote(migc *m, const char *sql, const char *end)
{
	struct sqlsession *s = SESSION(m);

	if (!s)
		return;
	/* Statements start at their first token (the scanner's offsets), but
	** what follows a statement within one may start with blanks. */
	while (sql < end && (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '\f'))
		sql++;
	if (startswith(sql, end, "pragma")) {
		s->dirty |= DIRTY_PRAGMA;
		if (mentions(sql, end, "case_sensitive_like"))
			s->dirty |= DIRTY_CASELIKE;
	} else if (startswith(sql, end, "attach")) {
		s->dirty |= DIRTY_ATTACH;
	} else if (startswith(sql, end, "create")) {
		s->dirty |= DIRTY_CREATE;
	}
}

int
sqlitesessionunguard(migc *m)
{
	struct sqlsession *s = SESSION(m);

	/* Only a migration that ran a PRAGMA can have set query_only. */
	if (!s || !(s->dirty & DIRTY_PRAGMA) || sqlitepragma(DB(m), "PRAGMA query_only") != 1)
		return 0;
	sqlite3_exec(DB(m), "PRAGMA query_only = OFF", NULL, NULL, NULL);
	return 1;
}

static int
execf(sqlite3 *db, const char *fmt, const char *a, const char *b)
{
	char *sql = sqlite3_mprintf(fmt, a, b);
	int rc;

	if (!sql)
		return SQLITE_NOMEM;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	return rc;
}

/* Every PRAGMA back to its value at the start; 1 when one would not go
** back (some cannot change inside a transaction), to try again. */
static int
resetpragmas(migc *m, struct sqlsession *s)
{
	char now[32];
	size_t i;
	int left = 0;

	for (i = 0; i < NPRAGMAS; i++) {
		if (!plainvalue(s->value[i]))
			continue;
		readpragma(DB(m), pragmas[i], now);
		if (strcmp(now, s->value[i]) == 0)
			continue;
		execf(DB(m), "PRAGMA %s = %s", pragmas[i], s->value[i]);
		readpragma(DB(m), pragmas[i], now);
		left |= strcmp(now, s->value[i]) != 0;
	}
	return left;
}

/* Detach what the run attached; 1 when it cannot yet (in a transaction). */
static int
resetattached(migc *m, struct sqlsession *s)
{
	struct names now;
	size_t i;
	int left = 0;

	if (readnames(DB(m), "SELECT name FROM pragma_database_list", &now) != 0)
		return 1;
	for (i = 0; i < now.n; i++)
		if (!hasname(&s->dbs, now.v[i]) && execf(DB(m), "DETACH \"%w\"", now.v[i], NULL) != SQLITE_OK)
			left = 1;
	freenames(&now);
	return left;
}

/* Drop the temporary objects the run made: triggers and views, then the
** rest (dropping a table takes its indexes with it). */
static int
resettemps(migc *m, struct sqlsession *s)
{
	static const char *const kinds[] = { "trigger", "view", "index", "table" };
	struct names now;
	size_t i, k;
	int left = 0;

	if (readnames(DB(m), "SELECT type, name FROM sqlite_temp_schema", &now) != 0)
		return 1;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k]);

		for (i = 0; i < now.n; i++) {
			if (hasname(&s->temps, now.v[i]) || strncmp(now.v[i], kinds[k], n) != 0 || now.v[i][n] != '\t')
				continue;
			if (execf(DB(m), "DROP %s IF EXISTS temp.\"%w\"", kinds[k], now.v[i] + n + 1) != SQLITE_OK)
				left = 1;
		}
	}
	freenames(&now);
	return left;
}

int
sqlitesessionreset(migc *m, int final)
{
	struct sqlsession *s = SESSION(m);
	unsigned left = 0;

	if (!s)
		return MIGC_OK;
	if (final || (s->dirty & DIRTY_PRAGMA))
		left |= resetpragmas(m, s) ? DIRTY_PRAGMA : 0;
	if (s->dirty & DIRTY_CASELIKE)
		sqlite3_exec(DB(m), "PRAGMA case_sensitive_like = OFF", NULL, NULL, NULL);
	if (final || (s->dirty & DIRTY_ATTACH))
		left |= resetattached(m, s) ? DIRTY_ATTACH : 0;
	if (final || (s->dirty & DIRTY_CREATE))
		left |= resettemps(m, s) ? DIRTY_CREATE : 0;
	s->dirty = left;
	if (final)
		sqlitesessionfree(m);
	return MIGC_OK;
}
