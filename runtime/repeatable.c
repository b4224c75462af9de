/*
** repeatable.c: repeatable migrations (R__name.sql): run after the
** versioned ones, in name order, whenever their checksum is not the one
** recorded for them, and recorded in a table of their own beside the
** tracking table, TABLE_repeatable (name, file, checksum, applied_at,
** execution_ms; README, "Repeatable migrations"), which migc of an older
** record layout neither reads nor needs. Each runs in its own transaction
** with its row, under the migration lock, as a versioned migration does;
** a no-transaction one runs statement by statement and is recorded after
** its last statement (one that fails part way keeps its old row, and runs
** from its start next time: a repeatable migration is written to run
** again).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "engine.h"

#define SUFFIX "_repeatable"

int
migc__repeatablesreached(const migc *m, int64_t to)
{
	const struct migc_set *set = m->set;

	return set->nrepeatables && (set->count == 0 || to >= set->migrations[set->count - 1].version);
}

int
migc__repeatablename(migc *m)
{
	if (m->set->nrepeatables == 0 || strlen(m->table) + sizeof(SUFFIX) - 1 <= 63)
		return MIGC_OK;
	return migc__seterr(m, MIGC_INPUT, "the set has repeatable migrations, recorded in the table %s" SUFFIX ", "
	                    "which would be longer than PostgreSQL's 63 bytes: use a tracking table name of at most "
	                    "52 bytes (migc_set_table)", m->table);
}

/* Put "s" then suffix, quoted as an identifier (a '"' doubled), at q[*o]. */
static void
putident(char *q, size_t *o, const char *s, const char *suffix)
{
	q[(*o)++] = '"';
	for (; *s; s++) {
		if (*s == '"')
			q[(*o)++] = '"';
		q[(*o)++] = *s;
	}
	while (*suffix)
		q[(*o)++] = *suffix++;
	q[(*o)++] = '"';
	q[*o] = '\0';
}

/* The table's quoted name ("schema"."TABLE_repeatable" on PostgreSQL)
** into q (room for 300), and, when bare is not NULL, its unquoted name. */
static int
reptable(migc *m, char q[300], char *bare, size_t nbare)
{
	size_t o = 0;

	if (migc__repeatablename(m) != MIGC_OK)
		return MIGC_INPUT;
	if (m->tableschema[0]) {
		putident(q, &o, m->tableschema, "");
		q[o++] = '.';
	}
	putident(q, &o, m->table, SUFFIX);
	if (bare)
		snprintf(bare, nbare, "%s" SUFFIX, m->table);
	return MIGC_OK;
}

/* Run sql, a statement of migc's own, as one statement of a script. */
static int
execown(migc *m, const char *sql, const char *what)
{
	struct migc_stmt st = { 0, strlen(sql), 1 };
	struct migc_script sc = { what, sql, strlen(sql), &st, 1, 0, 0 };

	return m->drv->xExec(m, &sc, 0);
}

/* readrepeatables, and whether the table exists (*exists). */
static int
readrows(migc *m, struct migc__rows *rows, int *exists)
{
	char q[300], bare[80], sql[400];
	int sqlite = strcmp(m->drv->name, "sqlite") == 0, rc;

	memset(rows, 0, sizeof(*rows));
	rc = reptable(m, q, bare, sizeof(bare));
	if (rc == MIGC_OK)
		rc = m->drv->xQuery(m, sqlite ? "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1"
		                    : "SELECT CASE WHEN pg_catalog.to_regclass($1) IS NULL THEN 0 ELSE 1 END",
		                    sqlite ? bare : q, rows);
	if (rc != MIGC_OK)
		return rc;
	*exists = rows->n == 1 && rows->cells[0] && strcmp(rows->cells[0], "1") == 0;
	migc__freerows(rows);
	if (!*exists)
		return MIGC_OK;
	snprintf(sql, sizeof(sql), "SELECT name, checksum, applied_at, execution_ms FROM %s ORDER BY name", q);
	return m->drv->xQuery(m, sql, NULL, rows);
}

int
migc__readrepeatables(migc *m, struct migc__rows *rows)
{
	int exists;

	return readrows(m, rows, &exists);
}

/* The checksum rows record for name, or NULL. */
static const char *
repeatablesum(const struct migc__rows *rows, const char *name)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		if (rows->cells[i * rows->ncols] && strcmp(rows->cells[i * rows->ncols], name) == 0)
			return rows->cells[i * rows->ncols + 1] ? rows->cells[i * rows->ncols + 1] : "";
	return NULL;
}

/* Whether r is to run: its recorded checksum is not its own. */
static int
due(const struct migc__rows *rows, const struct migc_migration *r)
{
	const char *sum = repeatablesum(rows, r->name);

	return !sum || strcmp(sum, r->checksum) != 0;
}

int
migc__repeatablesdue(migc *m, int *n)
{
	struct migc__rows rows;
	unsigned long i;
	int rc;

	*n = 0;
	if (m->set->nrepeatables == 0)
		return MIGC_OK;
	rc = migc__readrepeatables(m, &rows);
	for (i = 0; rc == MIGC_OK && i < m->set->nrepeatables; i++)
		*n += due(&rows, &m->set->repeatables[i]);
	migc__freerows(&rows);
	return rc;
}

/* Record r as run now, in ms: its row, made or replaced, and the table
** first when there is none (!exists; names and checksums hold no quote). */
static int
record(migc *m, const struct migc_migration *r, long long ms, int exists)
{
	struct trackrow row;
	char q[300], at[32], *sql;
	int sqlite = strcmp(m->drv->name, "sqlite") == 0, rc;
	size_t n;

	rc = reptable(m, q, NULL, 0);
	if (rc != MIGC_OK)
		return rc;
	n = 2 * strlen(q) + strlen(r->name) + strlen(r->up.file) + strlen(r->checksum) + 512;
	if (!(sql = malloc(n)))
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	migc__makerow(&row, r, at);
	snprintf(sql, n, "CREATE TABLE IF NOT EXISTS %s (name TEXT PRIMARY KEY, file TEXT NOT NULL, checksum "
	         "TEXT NOT NULL, applied_at TEXT NOT NULL, execution_ms %s NOT NULL)", q, sqlite ? "INTEGER" : "bigint");
	rc = exists ? MIGC_OK : execown(m, sql, m->table);
	snprintf(sql, n, "INSERT INTO %s (name, file, checksum, applied_at, execution_ms) VALUES ('%s', '%s', "
	         "'%s', '%s', %lld) ON CONFLICT (name) DO UPDATE SET file = excluded.file, checksum = excluded.checksum, "
	         "applied_at = excluded.applied_at, execution_ms = excluded.execution_ms", q, r->name, r->up.file,
	         r->checksum, at, ms);
	if (rc == MIGC_OK)
		rc = execown(m, sql, m->table);
	free(sql);
	return rc;
}

int
migc__forgetrepeatables(migc *m)
{
	struct migc__rows rows;
	char q[300], sql[340];
	int exists = 0, rc = readrows(m, &rows, &exists);

	migc__freerows(&rows);
	if (rc != MIGC_OK || !exists)
		return rc;
	rc = reptable(m, q, NULL, 0);
	snprintf(sql, sizeof(sql), "DELETE FROM %s", q);
	return rc == MIGC_OK ? execown(m, sql, m->table) : rc;
}

int
migc__recordrepeatable(migc *m, const struct migc_migration *r)
{
	struct migc__rows rows;
	int exists = 0, rc = readrows(m, &rows, &exists);

	migc__freerows(&rows);
	return rc == MIGC_OK ? record(m, r, 0, exists) : rc;
}

/* Run r (due) in a transaction with its row, or, no-transaction,
** statement by statement and then its row. */
static int
runone(migc *m, const struct migc_migration *r, int exists, long long *ms)
{
	long long t0 = migc__monotonicms();
	unsigned long i;
	int rc = MIGC_OK;

	if (r->up.flags & MIGC_NO_TRANSACTION) {
		for (i = 0; rc == MIGC_OK && i < r->up.nstmts; i++)
			rc = migc__exec(m, &r->up, i);
		rc = migc__sessionreset(m, rc, 0);
		*ms = migc__monotonicms() - t0;
		return rc == MIGC_OK ? record(m, r, *ms, exists) : rc;
	}
	rc = migc__runstmts(m, &r->up);
	if (rc == MIGC_OK)
		rc = migc__fkcheck(m, &r->up);
	if (rc == MIGC_OK)
		rc = migc__sessionreset(m, rc, 0);
	*ms = migc__monotonicms() - t0;
	if (rc == MIGC_OK)
		rc = record(m, r, *ms, exists);
	if (rc == MIGC_OK)
		rc = m->drv->xCommit(m);
	return rc;
}

/* Run repeatable r when it is due, under the migration lock. */
static int
applyone(migc *m, const struct migc_migration *r)
{
	struct migc__rows rows;
	struct track t;
	long long ms = 0;
	int rc, locked = 0, todo, exists = 0;

	rc = migc__setupoutside(m, &r->up, &locked);
	if (rc == MIGC_OK)
		rc = migc__lockedread(m, &t, VERIFY_UP);
	if (rc == MIGC_OK) {
		migc__freetrack(&t);
		rc = readrows(m, &rows, &exists);
		todo = rc == MIGC_OK && due(&rows, r);
		migc__freerows(&rows);
		if (rc == MIGC_OK && todo && (r->up.flags & MIGC_NO_TRANSACTION))
			m->drv->xRollback(m);
		if (rc == MIGC_OK && todo) {
			m->running = &r->up;
			rc = runone(m, r, exists, &ms);
			if (rc == MIGC_OK)
				m->running = NULL;
		}
		if (rc != MIGC_OK || !todo)
			m->drv->xRollback(m);
		/* Some state outlives a rollback (PREPARE, PRAGMAs). */
		if (rc != MIGC_OK && todo && !(r->up.flags & MIGC_NO_TRANSACTION))
			rc = migc__sessionreset(m, rc, 0);
		if (rc == MIGC_OK && todo) {
			m->nchanged++;
			migc__emit(m, MIGC_EV_APPLIED, r, ms, NULL, 0);
		}
	}
	if (locked)
		rc = migc__unlocksession(m, rc);
	return rc;
}

int
migc__poolrepeatables(migc *m, int64_t to)
{
	struct migc__rows rows;
	unsigned long i;
	int rc;

	if (!migc__repeatablesreached(m, to))
		return MIGC_OK;
	rc = migc__readrepeatables(m, &rows);
	for (i = 0; rc == MIGC_OK && i < m->set->nrepeatables; i++) {
		const struct migc_migration *r = &m->set->repeatables[i];

		if ((r->up.flags & MIGC_NO_TRANSACTION) && due(&rows, r))
			rc = migc__poolrefusal(m, &r->up, "applied");
	}
	migc__freerows(&rows);
	return rc;
}

/* Only those the table, read once without the lock, shows due take the
** lock (and read the tracking table): applyone checks again under it. */
int
migc__uprepeatables(migc *m)
{
	struct migc__rows rows;
	unsigned long i;
	int rc = migc__readrepeatables(m, &rows);

	for (i = 0; rc == MIGC_OK && i < m->set->nrepeatables; i++)
		if (due(&rows, &m->set->repeatables[i]))
			rc = m->interrupted ? MIGC_INTERRUPTED : applyone(m, &m->set->repeatables[i]);
	migc__freerows(&rows);
	return rc;
}

int
migc__dryrepeatables(migc *m)
{
	struct migc__rows rows;
	unsigned long i, k;
	int rc;

	if (m->set->nrepeatables == 0)
		return MIGC_OK;
	rc = migc__readrepeatables(m, &rows);
	for (i = 0; rc == MIGC_OK && i < m->set->nrepeatables; i++) {
		const struct migc_migration *r = &m->set->repeatables[i];

		for (k = 0; due(&rows, r) && k < r->up.nstmts; k++)
			migc__emit(m, MIGC_EV_SQL, r, 0, r->up.sql + r->up.stmts[k].offset, r->up.stmts[k].length);
	}
	migc__freerows(&rows);
	return rc;
}

/* Copy s into the block at *p, for a state; NULL stays NULL. */
static const char *
keep(char **p, const char *s)
{
	char *d = *p;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

/* Fill st from the row i of rows (name, checksum, applied_at, ms). */
static void
fromrow(struct migc_state *st, const struct migc__rows *rows, size_t i, char **p)
{
	char *const *c = rows->cells + i * rows->ncols;

	st->name = keep(p, c[0]);
	st->checksum = keep(p, c[1]);
	st->applied_at = keep(p, c[2] ? c[2] : "");
	st->ms = c[3] ? strtoll(c[3], NULL, 10) : 0;
}

int
migc_repeatable_status(migc *m, struct migc_state **states, size_t *n)
{
	struct migc__rows rows;
	struct migc_state *s;
	struct track t;
	size_t bytes = 1, i, k = 0, j;
	char *p;
	int rc;

	if (states)
		*states = NULL;
	if (n)
		*n = 0;
	rc = migc__checkhandle(m, 1);
	if (rc != MIGC_OK)
		return rc;
	if (!states || !n)
		return migc__seterr(m, MIGC_INPUT, "migc_repeatable_status: states and n must not be NULL");
	migc__clearerr(m);
	/* The tracking table's read finds its schema (PostgreSQL), beside
	** which this table is: once per handle. */
	if (strcmp(m->drv->name, "postgres") == 0 && !m->tableschema[0]) {
		rc = migc__readtrack(m, &t, MIGC__READ_BRIEF);
		if (rc != MIGC_OK)
			return rc;
		migc__freetrack(&t);
	}
	rc = migc__readrepeatables(m, &rows);
	if (rc != MIGC_OK)
		return rc;
	for (i = 0; i < rows.n * rows.ncols; i++)
		bytes += rows.cells[i] ? strlen(rows.cells[i]) + 1 : 1;
	s = malloc((m->set->nrepeatables + rows.n + 1) * sizeof(*s) + bytes);
	if (!s) {
		migc__freerows(&rows);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	p = (char *)(s + m->set->nrepeatables + rows.n + 1);
	for (i = 0; i < m->set->nrepeatables; i++, k++) {
		const struct migc_migration *r = &m->set->repeatables[i];

		memset(&s[k], 0, sizeof(s[k]));
		s[k].migration = r;
		s[k].kind = MIGC_PENDING;
		for (j = 0; j < rows.n; j++) {
			if (rows.cells[j * rows.ncols] && strcmp(rows.cells[j * rows.ncols], r->name) == 0) {
				fromrow(&s[k], &rows, j, &p);
				s[k].kind = s[k].checksum && strcmp(s[k].checksum, r->checksum) == 0 ? MIGC_APPLIED : MIGC_EDITED;
			}
		}
	}
	for (j = 0; j < rows.n; j++) {
		for (i = 0; i < m->set->nrepeatables && (!rows.cells[j * rows.ncols] ||
		            strcmp(rows.cells[j * rows.ncols], m->set->repeatables[i].name) != 0); i++)
			;
		if (i < m->set->nrepeatables)
			continue;
		memset(&s[k], 0, sizeof(s[k]));
		s[k].kind = MIGC_UNKNOWN;
		fromrow(&s[k], &rows, j, &p);
		k++;
	}
	migc__freerows(&rows);
	*states = s;
	*n = k;
	return MIGC_OK;
}
