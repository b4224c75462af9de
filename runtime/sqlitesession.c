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
** CREATE gets anything read back. It also keeps the foreign key
** violations the database had, so that the check after each migration
** (run with enforcement off) refuses only those the migration added: an
** orphan row from before, common where foreign keys were never on, must
** not block every later migration. Foreign keys are the engine's business
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
#include "grow.h"

#define DB(m) ((sqlite3 *)(m)->db)

/* The connection's PRAGMAs that a statement can set and read back. */
static const char *const pragmas[] = {
	"analysis_limit", "automatic_index", "cache_size", "cache_spill",
	"cell_size_check", "checkpoint_fullfsync", "count_changes", "empty_result_callbacks",
	"full_column_names", "fullfsync", "ignore_check_constraints", "journal_size_limit",
	"legacy_alter_table", "locking_mode", "mmap_size", "query_only", "read_uncommitted",
	"max_page_count", "recursive_triggers", "reverse_unordered_selects", "secure_delete", "short_column_names",
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
	size_t n, cap;
};

struct sqlsession {
	char value[NPRAGMAS][32];       /* as PRAGMA x gave it at the start; "" unreadable */
	struct names fkv;               /* foreign key violations before the migration, sorted */
	int hasfk;                      /* some table declares a foreign key */
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
	l->cap = 0;
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
	l->n = l->cap = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = sqlite3_column_count(st) > 1 ? (const char *)sqlite3_column_text(st, 1) : NULL;
		size_t n = (a ? strlen(a) : 0) + (b ? strlen(b) + 1 : 0) + 1;
		char **v = migc__grow(l->v, l->n, &l->cap, sizeof(*l->v));
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
	size_t n = strlen(w);

	for (; sql + n <= end; sql++)
		if ((*sql | 0x20) == w[0] && startswith(sql, end, w))
			return 1;
	return 0;
}

/* Does some table of the database declare a foreign key? */
static int
hasforeignkeys(sqlite3 *db)
{
	return migc__sqlitepragma(db, "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' "
	                    "AND sql LIKE '%references%')") != 0;
}

/* The foreign key violations PRAGMA foreign_key_check reports, as
** "table\tparent\trowid" (rowid empty for a WITHOUT ROWID table), sorted. */
static int
cmpname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
readviolations(sqlite3 *db, struct names *l)
{
	if (readnames(db, "SELECT \"table\", parent || char(9) || coalesce(rowid, '') FROM pragma_foreign_key_check", l) != 0)
		return -1;
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmpname);
	return 0;
}

/* Length of v's "table\tparent\t" part. */
static size_t
pairlen(const char *v)
{
	const char *t = strchr(v, '\t');

	t = t ? strchr(t + 1, '\t') : NULL;
	return t ? (size_t)(t - v) + 1 : strlen(v);
}

/* How many of sorted l begin with p[0..n). */
static size_t
countpair(const struct names *l, const char *p, size_t n)
{
	size_t lo = 0, hi = l->n, k = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(l->v[mid], p, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + k < l->n && strncmp(l->v[lo + k], p, n) == 0)
		k++;
	return k;
}

int
migc__sqlitesessionfkcheck(migc *m, const struct migc_script *sc)
{
	struct sqlsession *s = SESSION(m);
	static const struct names none = { NULL, 0, 0 };
	const struct names *before = s ? &s->fkv : &none;
	struct names now;
	size_t i, j, n;

	/* PRAGMA foreign_key_check visits every table: in a database where
	** none declares a foreign key, and a migration that declares none, no
	** violation can be, and 1,000 migrations cost no 1,000 visits each. */
	if (s && !s->hasfk) {
		if (!mentions(sc->sql, sc->sql + sc->length, "references"))
			return MIGC_OK;
		s->hasfk = hasforeignkeys(DB(m));
		if (!s->hasfk)
			return MIGC_OK;
	}
	if (readviolations(DB(m), &now) != 0)
		return migc__seterr(m, MIGC_ERROR, "PRAGMA foreign_key_check: %s", sqlite3_errmsg(DB(m)));
	for (i = 0; i < now.n; i += countpair(&now, now.v[i], n)) {
		n = pairlen(now.v[i]);
		if (countpair(&now, now.v[i], n) > countpair(before, now.v[i], n)) {
			char table[256], row[40] = "a row";
			const char *parent, *rowid;
			int rc;

			/* Name a row that was not a violation before, if one can be told. */
			for (j = i; j < now.n && strncmp(now.v[j], now.v[i], n) == 0; j++)
				if (!hasname(before, now.v[j]))
					break;
			if (j == now.n || strncmp(now.v[j], now.v[i], n) != 0)
				j = i;
			snprintf(table, sizeof(table), "%.*s", (int)(strchr(now.v[j], '\t') - now.v[j]), now.v[j]);
			parent = strchr(now.v[j], '\t') + 1;
			rowid = now.v[j] + n;
			if (*rowid)
				snprintf(row, sizeof(row), "row %s", rowid);
			rc = migc__seterr(m, MIGC_ERROR, "%s: foreign key violation after the migration (PRAGMA foreign_key_check): "
			            "%s of table %s references a missing row of %.*s (rolled back)",
			            sc->file, row, table, (int)(n - (size_t)(parent - now.v[j]) - 1), parent);
			freenames(&now);
			return rc;
		}
	}
	if (s) {
		freenames(&s->fkv);
		s->fkv = now;
	} else {
		freenames(&now);
	}
	return MIGC_OK;
}

int
migc__sqlitesessionsave(migc *m)
{
	struct sqlsession *s = calloc(1, sizeof(*s));
	size_t i;

	migc__sqlitesessionfree(m);
	if (!s)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (i = 0; i < NPRAGMAS; i++)
		readpragma(DB(m), pragmas[i], s->value[i]);
	s->hasfk = hasforeignkeys(DB(m));
	if (readnames(DB(m), "SELECT name FROM pragma_database_list", &s->dbs) != 0 ||
	    readnames(DB(m), "SELECT type, name FROM sqlite_temp_schema", &s->temps) != 0 ||
	    (s->hasfk && readviolations(DB(m), &s->fkv) != 0)) {
		freenames(&s->dbs);
		freenames(&s->temps);
		free(s);
		return migc__sqliteerr(m, "cannot read the connection's state");
	}
	m->session = s;
	if (s->fkv.n) {
		char note[256];

		snprintf(note, sizeof(note), "the database already has %lu foreign key violation%s (PRAGMA foreign_key_check): "
		         "a migration is refused only for violations it adds", (unsigned long)s->fkv.n, s->fkv.n == 1 ? "" : "s");
		migc__emit(m, MIGC_EV_NOTICE, NULL, 0, note, strlen(note));
	}
	return MIGC_OK;
}

void
migc__sqlitesessionfree(migc *m)
{
	struct sqlsession *s = SESSION(m);

	if (!s)
		return;
	freenames(&s->dbs);
	freenames(&s->temps);
	freenames(&s->fkv);
	free(s);
	m->session = NULL;
}

void
migc__sqlitesessionnote(migc *m, const char *sql, const char *end)
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
migc__sqlitesessionunguard(migc *m)
{
	struct sqlsession *s = SESSION(m);

	/* Only a migration that ran a PRAGMA can have set query_only. */
	if (!s || !(s->dirty & DIRTY_PRAGMA) || migc__sqlitepragma(DB(m), "PRAGMA query_only") != 1)
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

/* Detach what the run attached ("temp" comes and goes with temporary
** objects); 1 when it cannot yet (in a transaction). */
static int
resetattached(migc *m, struct sqlsession *s)
{
	struct names now;
	size_t i;
	int left = 0;

	if (readnames(DB(m), "SELECT name FROM pragma_database_list", &now) != 0)
		return 1;
	for (i = 0; i < now.n; i++)
		if (!hasname(&s->dbs, now.v[i]) && strcmp(now.v[i], "temp") != 0 &&
		    execf(DB(m), "DETACH \"%w\"", now.v[i], NULL) != SQLITE_OK)
			left = 1;
	freenames(&now);
	return left;
}

/*
** Drop the temporary objects the run made: triggers and views first, then
** tables and indexes, newest first (a table referencing another was made
** after it), and again while a pass gets further, since a parent cannot
** go while a child that enforces its foreign key is there. 1 when some
** would not go.
*/
static int
resettemps(migc *m, struct sqlsession *s)
{
	struct names now;
	size_t i, left, before;
	int pass;

	if (readnames(DB(m), "SELECT type, name FROM sqlite_temp_schema", &now) != 0)
		return 1;
	for (i = 0; i < now.n; i++)
		if (hasname(&s->temps, now.v[i])) {
			free(now.v[i]);
			now.v[i] = NULL;
		}
	left = now.n;
	do {
		before = left;
		left = 0;
		for (pass = 0; pass < 2; pass++) {
			for (i = now.n; i > 0; i--) {
				char *v = now.v[i - 1], *name;
				int late;

				if (!v)
					continue;
				name = strchr(v, '\t') + 1;
				late = strncmp(v, "table\t", 6) == 0 || strncmp(v, "index\t", 6) == 0;
				if (late != pass)
					continue;
				*(name - 1) = '\0';
				if (execf(DB(m), "DROP %s IF EXISTS temp.\"%w\"", v, name) == SQLITE_OK) {
					free(v);
					now.v[i - 1] = NULL;
				} else {
					*(name - 1) = '\t';
					left++;
				}
			}
		}
	} while (left > 0 && left < before);
	freenames(&now);
	return left > 0;
}

int
migc__sqlitesessionreset(migc *m, int final)
{
	struct sqlsession *s = SESSION(m);
	unsigned left = 0;
	int rc = MIGC_OK;

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
	/* A PRAGMA may not change inside a transaction, and is tried again;
	** what a migration attached or made temporary and will not go would
	** reach the next migration: stop. */
	if ((left & (DIRTY_ATTACH | DIRTY_CREATE)) && (final || sqlite3_get_autocommit(DB(m))))
		rc = migc__seterr(m, MIGC_ERROR, "cannot undo what the migration left on the connection (%s): %s",
		            (left & DIRTY_ATTACH) ? "an attached database" : "a temporary object", sqlite3_errmsg(DB(m)));
	if (final)
		migc__sqlitesessionfree(m);
	return rc;
}
