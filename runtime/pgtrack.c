/*
** pgtrack.c: the tracking table on PostgreSQL: which schema it is in
** (resolved once per handle, and refused when the search_path moved away
** from it), making it, reading it in as few messages as possible, and
** writing its rows and recorded schema.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migc.h"
#include "internal.h"

#ifdef MIGC_POSTGRES
#include <libpq-fe.h>

#include "pgsession.h"
#include "pg.h"

/* Set the quoted tracking table name (in schema) and the lock key. */
static int
settable(migc *m, const char *schema)
{
	struct pg *pg = PG(m);
	char *qschema, *qname, *lit;
	size_t n;

	qschema = PQescapeIdentifier(pg->conn, schema, strlen(schema));
	qname = PQescapeIdentifier(pg->conn, m->table, strlen(m->table));
	if (!qschema || !qname) {
		PQfreemem(qschema);
		PQfreemem(qname);
		return migc__pgconnerr(m, "cannot quote the tracking table's name");
	}
	n = strlen(qschema) + strlen(qname) + 2;
	pg->qtable = malloc(n);
	if (pg->qtable)
		snprintf(pg->qtable, n, "%s.%s", qschema, qname);
	PQfreemem(qschema);
	PQfreemem(qname);
	if (!pg->qtable)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	lit = PQescapeLiteral(pg->conn, pg->qtable, strlen(pg->qtable));
	if (!lit)
		return migc__pgconnerr(m, "cannot quote the tracking table's name");
	pg->regclass = malloc(strlen(lit) + 1);
	if (pg->regclass)
		strcpy(pg->regclass, lit);
	PQfreemem(lit);
	if (!pg->regclass)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	pg->key = migc__pglockkey(schema, m->table);
	snprintf(m->tableschema, sizeof(m->tableschema), "%s", schema);
	return MIGC_OK;
}

/*
** Tracking tables of this name (with migc's mark) in any schema but the
** temporary and TOAST ones, looked for only when `when` holds: as a
** lateral subquery e of one row, how many, the schema of one, and all of
** them by qualified name. *out: a malloc'd fragment of FROM.
*/
static int
elsewhere(migc *m, const char *when, char **out)
{
	static const char fmt[] =
		"LATERAL (SELECT count(*), min(n.nspname::text), "
		"string_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname), ', ' ORDER BY n.nspname) "
		"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		"WHERE %s AND c.relname = %s AND c.relkind IN ('r', 'p') "
		"AND n.nspname NOT LIKE 'pg\\_temp\\_%%' AND n.nspname NOT LIKE 'pg\\_toast%%' "
		"AND obj_description(c.oid, 'pg_class') LIKE '" TRACK_MARKER "%%') e";
	char *table = PQescapeLiteral(PG(m)->conn, m->table, strlen(m->table));
	size_t n;

	*out = NULL;
	if (!table)
		return migc__pgconnerr(m, "cannot quote the tracking table's name");
	n = sizeof(fmt) + strlen(when) + strlen(table);
	*out = malloc(n);
	if (*out)
		snprintf(*out, n, fmt, when, table);
	PQfreemem(table);
	return *out ? MIGC_OK : migc__seterr(m, MIGC_NOMEM, "out of memory");
}

/* Run the query of the NULL-ended parts, then the elsewhere subquery
** (`when` as there), as one statement; *res its result. */
static int
askelsewhere(migc *m, const char *const *parts, const char *when, PGresult **res)
{
	char *other, *sql;
	size_t n, i;
	int rc = elsewhere(m, when, &other);

	if (rc != MIGC_OK)
		return rc;
	for (n = strlen(other) + 1, i = 0; parts[i]; i++)
		n += strlen(parts[i]);
	sql = malloc(n);
	if (sql) {
		for (sql[0] = '\0', i = 0; parts[i]; i++)
			strcat(sql, parts[i]);
		strcat(sql, other);
	}
	free(other);
	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	rc = migc__pgrun(m, sql, res);
	free(sql);
	return rc;
}

/* s as a C string literal: in double quotes, each " and \ escaped, as
** the application would pass it to migc_set_schema. */
static void
cstring(const char *s, char *out, size_t size)
{
	size_t i = 0;
	const char *p;

	out[i++] = '"';
	for (p = s; *p && i + 4 < size; p++) {
		if (*p == '"' || *p == '\\')
			out[i++] = '\\';
		out[i++] = *p;
	}
	out[i++] = '"';
	out[i] = '\0';
}

/*
** No tracking table where this run looks for one (schema `here`, the
** current_schema(), or NULL when no schema on the search_path exists):
** refuse when columns col.. of res (the elsewhere subquery) found one in
** another schema, naming it and the migc_set_schema call to make. The search_path
** moved under the table: a migration made the schema named like the role,
** or an ALTER DATABASE or ALTER ROLE set another path.
*/
static int
moved(migc *m, const PGresult *res, int col, const char *here)
{
	long n = atol(PQgetvalue(res, 0, col));
	char word[64 * 2 + 3], at[128];

	if (n == 0)
		return MIGC_OK;
	if (here)
		snprintf(at, sizeof(at), "schema %s (current_schema())", here);
	else
		snprintf(at, sizeof(at), "current_schema(): no schema on the search_path exists");
	if (n > 1)
		return migc__seterr(m, MIGC_ERROR, "tracking tables are in other schemas (%s), none in %s, where a handle "
		              "without migc_set_schema looks (the search_path changed since they were made, or they were "
		              "made with migc_set_schema): call migc_set_schema with the one this database uses",
		              PQgetvalue(res, 0, col + 2), at);
	cstring(PQgetvalue(res, 0, col + 1), word, sizeof(word));
	return migc__seterr(m, MIGC_ERROR, "the tracking table is %s, not in %s, where a handle without migc_set_schema "
	              "looks (the search_path changed since it was made, or it was made with migc_set_schema): "
	              "call migc_set_schema(m, %s) to use it", PQgetvalue(res, 0, col + 2), at, word);
}

/* No schema on the search_path: a tracking table elsewhere (columns
** col.. of res) is named, else the caller is told to set one. */
static int
noschema(migc *m, const PGresult *res, int col)
{
	int rc = moved(m, res, col, NULL);

	return rc != MIGC_OK ? rc : migc__seterr(m, MIGC_INPUT, "no schema on the search_path exists: "
	                                         "set one with migc_set_schema");
}

/* The tracking table's schema: the one given, else current_schema(),
** kept for the handle's life. */
int
migc__pgresolve(migc *m)
{
	static const char *const head[] = { "SELECT s, e.* FROM (SELECT current_schema() AS s) a, ", NULL };
	PGresult *res;
	int rc;

	if (PG(m)->qtable)
		return MIGC_OK;
	if (m->schema[0])
		return settable(m, m->schema);
	rc = askelsewhere(m, head, "s IS NULL", &res);
	if (rc != MIGC_OK)
		return rc;
	if (PQgetisnull(res, 0, 0))
		rc = noschema(m, res, 1);
	else
		rc = settable(m, PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

/* Does the tracking table exist (*exists), and if so is it migc's, of a
** layout this migc knows? *old: it is, but an older layout (no
** TRACK_COLUMN) that this role may upgrade, owning the table. Without
** --schema, one that is not there but in another schema is refused
** (moved). */
static int
tablecheck(migc *m, int *exists, int *old)
{
	const char *head[] = { "SELECT q IS NOT NULL, obj_description(q, 'pg_class'), "
	                       "NOT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = q "
	                       "AND attname = '" TRACK_COLUMN "' AND NOT attisdropped) "
	                       "AND COALESCE((SELECT pg_catalog.pg_has_role(relowner, 'USAGE') "
	                       "FROM pg_catalog.pg_class WHERE oid = q), false), e.* FROM to_regclass(",
	                       NULL, ") q, ", NULL };
	PGresult *res;
	int rc;

	*exists = *old = 0;
	rc = migc__pgresolve(m);
	if (rc != MIGC_OK)
		return rc;
	head[1] = PG(m)->regclass;
	rc = askelsewhere(m, head, m->schema[0] ? "false" : "q IS NULL", &res);
	if (rc != MIGC_OK)
		return rc;
	*exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	*old = *exists && strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	if (*exists)
		rc = migc__checkmarker(m, PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1));
	else
		rc = moved(m, res, 3, m->tableschema);
	PQclear(res);
	return rc;
}

/*
** Before the table is made in the schema set with migc_set_schema: that
** schema exists, or is made now when migc_set_create_schema asked for it;
** else MIGC_INPUT, saying how to go on (CREATE TABLE would only say that
** it does not exist).
*/
static int
schemaready(migc *m)
{
	const char *vals[1] = { m->schema };
	char sql[256], *q;
	PGresult *res;
	int exists, rc;

	res = PQexecParams(PG(m)->conn, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1",
	                   1, NULL, vals, NULL, NULL, 0);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = res ? migc__pgerr(m, MIGC_ERROR, "cannot read the schemas", PQresultErrorMessage(res))
		         : migc__pgconnerr(m, "cannot read the schemas");
		PQclear(res);
		return rc;
	}
	exists = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	PQclear(res);
	if (exists)
		return MIGC_OK;
	q = PQescapeIdentifier(PG(m)->conn, m->schema, strlen(m->schema));
	if (!q)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", q);
	rc = m->create_schema ? migc__pgrun(m, sql, NULL) :
	     migc__seterr(m, MIGC_INPUT, "the schema %s for the tracking table (migc_set_schema) does not exist: "
	                  "create it (CREATE SCHEMA %s), or call migc_set_create_schema(m, 1) to have it made", q, q);
	PQfreemem(q);
	return rc;
}

/* Make the table, found missing by tablecheck. */
static int
createtable(migc *m)
{
	char sql[1024], def[512];

	if (m->schema[0]) {
		int rc = schemaready(m);

		if (rc != MIGC_OK)
			return rc;
	}
	migc__trackdefinition(1, def, sizeof(def));
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (%s, " TRACK_COLUMN " boolean); "
	         "COMMENT ON TABLE %s IS '" TRACK_MARKER TRACK_OLDEST "'", PG(m)->qtable, def, PG(m)->qtable);
	return migc__pgrun(m, sql, NULL);
}

/*
** Give a layout 1 table, read as t->old, layout 2's column: in a
** savepoint, with the table's lock taken NOWAIT, so that a session reading
** the table (pg_dump, an application's long transaction) never has this
** run wait, nor the readers queued behind it; the lock lasts only to the
** COMMIT that follows. When it cannot be had (or the ALTER fails) the
** savepoint is rolled back and the table stays layout 1.
*/
int
migc__pgupgradetable(migc *m)
{
	char sql[1024];
	PGresult *res;
	int ok;

	snprintf(sql, sizeof(sql), "SAVEPOINT migc_layout; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT; "
	         "ALTER TABLE %s ADD COLUMN " TRACK_COLUMN " boolean; RELEASE SAVEPOINT migc_layout",
	         PG(m)->qtable, PG(m)->qtable);
	res = PQexec(PG(m)->conn, sql);
	ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok ? MIGC_OK : migc__pgrun(m, "ROLLBACK TO SAVEPOINT migc_layout; RELEASE SAVEPOINT migc_layout", NULL);
}

/*
** The columns of a tracking row, in struct trackrow's order. brief: only
** what the no-op check (uptodate) reads; the others are left out,
** which saves the server most of its formatting on a fresh connection.
*/
/* applied_at as migc writes it everywhere: UTC, milliseconds. */
static const char appliedat[] = "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

static int
valdup(const PGresult *res, int row, int col, char **out)
{
	*out = PQgetisnull(res, row, col) ? NULL : migc__strdup(PQgetvalue(res, row, col));
	return *out || PQgetisnull(res, row, col);
}

static int
byversion(const void *a, const void *b)
{
	int64_t x = ((const struct trackrow *)a)->version, y = ((const struct trackrow *)b)->version;

	return (x > y) - (x < y);
}

/* One row of a result, for migc__takerow. */
struct pgrow {
	const PGresult *res;
	int row;
};

static const char *
cell(void *ctx, int col)
{
	const struct pgrow *p = ctx;

	return PQgetisnull(p->res, p->row, col) ? NULL : PQgetvalue(p->res, p->row, col);
}

/* The rows of res, a read of migc__trackselect's columns for brief, into
** t in version order. */
static int
takerows(migc *m, const PGresult *res, struct track *t, int brief)
{
	struct pgrow p = { res, 0 };
	int n = PQntuples(res), sorted = 1, rc = MIGC_OK;

	if (migc__reservetrack(t, t->n + (size_t)n) != 0)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (p.row = 0; p.row < n && rc == MIGC_OK; p.row++) {
		rc = migc__takerow(t, cell, &p, brief);
		sorted = sorted && (t->n < 2 || t->rows[t->n - 2].version < t->rows[t->n - 1].version);
	}
	if (rc != MIGC_OK)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	/* Rows come in the order they sit in the table, which is version
	** order unless some were deleted; sorting here spares the server
	** an ORDER BY. */
	if (!sorted)
		qsort(t->rows, t->n, sizeof(*t->rows), byversion);
	return MIGC_OK;
}

/* The error of a failed read of the tracking table. */
static int
readerr(migc *m, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (state && strcmp(state, "42703") == 0)
		return migc__pgerr(m, MIGC_ERROR, "the tracking table has a layout this migc does not know",
		             PQresultErrorMessage(res));
	return res ? migc__pgerr(m, MIGC_ERROR, "cannot read the tracking table", PQresultErrorMessage(res))
	           : migc__pgconnerr(m, "cannot read the tracking table");
}

/* Read the table, known to exist, by its qualified name. */
static int
readrows(migc *m, struct track *t, int brief)
{
	char sql[1024], cols[512];
	PGresult *res;
	int rc;

	migc__trackselect(appliedat, brief, cols, sizeof(cols));
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s", cols, PG(m)->qtable);
	res = migc__pgexecagain(m, sql);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = takerows(m, res, t, brief);
	else
		rc = readerr(m, res);
	PQclear(res);
	return rc;
}

/* No tracking table in schema here (NULL: no schema on the search_path
** exists): refuse as moved, or noschema, when there is one elsewhere. */
static int
lookelsewhere(migc *m, const char *here)
{
	static const char *const head[] = { "SELECT e.* FROM ", NULL };
	PGresult *res;
	int rc = askelsewhere(m, head, "true", &res);

	if (rc != MIGC_OK)
		return rc;
	rc = here ? moved(m, res, 0, here) : noschema(m, res, 0);
	PQclear(res);
	return rc;
}

/* The read named TRACK_COLUMN and the table has none: one made by an
** older migc (layout 1), or by a newer one that dropped it. Its comment
** says which (tablecheck); a layout 1 table is read as such, and marked
** for up to upgrade under the lock when this role owns it. */
static int
readold(migc *m, struct track *t, int brief)
{
	int rc, exists;

	rc = tablecheck(m, &exists, &t->old);
	return rc == MIGC_OK && exists ? readrows(m, t, brief) : rc;
}

/*
** Outside a transaction, read the table in one round trip: a message of
** two statements, which use only what a new backend has at hand (no
** operator, no catalog it has not opened: the no-op up an application
** makes at every start pays for nothing else; bench/README.md). The
** first finds the schema (the one given or already resolved, else
** current_schema()) and the table by its bare name and by its qualified
** one, each as regclass text, which is the same string exactly when the
** two are the same table (regclass prints a name qualified when its bare
** form leads elsewhere). Only when the table is not there and no --schema
** was given does a second message look for tracking tables in other
** schemas (lookelsewhere). The second statement reads the table by the
** name that will do: qualified when the schema is known, else bare, since
** the schema is not known yet when the message is written. It names the
** layout column, TRACK_COLUMN, so a table without it fails there (42703),
** and is then read by its comment (readold). When the bare name leads
** elsewhere (a temporary table of that name, or none in the current
** schema but one further down the search_path) the second result is
** dropped and the table read again by its qualified name. When the table
** does not exist the second statement fails, harmlessly: outside a
** transaction block it changes nothing.
*/
static int
readonce(migc *m, struct track *t, int brief)
{
	PGconn *conn = PG(m)->conn;
	const char *given = m->schema[0] ? m->schema : PG(m)->qtable ? m->tableschema : NULL;
	char *table, *schema, *bare, *sql, cols[512];
	const char *name, *state;
	PGresult *res;
	size_t n;
	int rc, exists, same, old = 0;

	if (m->schema[0] && !PG(m)->qtable && (rc = settable(m, m->schema)) != MIGC_OK)
		return rc;
	table = PQescapeLiteral(conn, m->table, strlen(m->table));
	schema = given ? PQescapeLiteral(conn, given, strlen(given)) : NULL;
	bare = PQescapeIdentifier(conn, m->table, strlen(m->table));
	if (!table || !bare || (given && !schema)) {
		PQfreemem(table);
		PQfreemem(schema);
		PQfreemem(bare);
		return migc__pgconnerr(m, "cannot quote the tracking table's name");
	}
	name = given ? PG(m)->qtable : bare;
	migc__trackselect(appliedat, brief, cols, sizeof(cols));
	n = 2 * strlen(table) + (schema ? strlen(schema) : 0) + strlen(name) + strlen(cols) + 256;
	sql = malloc(n);
	if (sql)
		snprintf(sql, n,
		         "SELECT s, to_regclass(quote_ident(%s)), to_regclass(concat_ws('.', quote_ident(s), quote_ident(%s))) "
		         "FROM (SELECT %s AS s) a; "
		         "SELECT %s FROM %s WHERE " TRACK_COLUMN " IS NULL",
		         table, table, schema ? schema : "current_schema()",
		         cols, name);
	PQfreemem(table);
	PQfreemem(schema);
	PQfreemem(bare);
	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	rc = migc__pgsend(m, sql) ? MIGC_OK : migc__pgconnerr(m, "cannot read the tracking table");
	free(sql);
	if (rc != MIGC_OK)
		return rc;
	res = PQgetResult(conn);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = readerr(m, res);
		PQclear(res);
		migc__pgdrain(m);
		return rc;
	}
	if (PQgetisnull(res, 0, 0))
		rc = MIGC_INPUT;        /* after the drain: noschema */
	else if (!PG(m)->qtable)
		rc = settable(m, PQgetvalue(res, 0, 0));
	exists = !PQgetisnull(res, 0, 0) && !PQgetisnull(res, 0, 2);
	same = given || (!PQgetisnull(res, 0, 1) && strcmp(PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2)) == 0);
	PQclear(res);
	res = PQgetResult(conn);
	if (rc == MIGC_OK && exists && same) {
		state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		old = state && strcmp(state, "42703") == 0;
		if (!old)
			rc = res && PQresultStatus(res) == PGRES_TUPLES_OK ? takerows(m, res, t, brief) : readerr(m, res);
	}
	PQclear(res);
	migc__pgdrain(m);
	/* Not where this run looks: only now, rarely (a new database, or one
	** whose search_path moved), ask where else a tracking table is, so
	** the common read stays one light message. */
	if (rc == MIGC_INPUT || (rc == MIGC_OK && !exists && !m->schema[0]))
		rc = lookelsewhere(m, rc == MIGC_INPUT ? NULL : m->tableschema);
	if (rc == MIGC_OK && exists && (!same || old))
		rc = readold(m, t, brief);
	return rc;
}

int
migc__pgreadtable(migc *m, struct track *t, int how)
{
	int rc, exists, brief = how == MIGC__READ_BRIEF;

	if (how != MIGC__READ_CREATE && PQtransactionStatus(PG(m)->conn) == PQTRANS_IDLE)
		return readonce(m, t, brief);
	rc = tablecheck(m, &exists, &t->old);
	if (rc == MIGC_OK && !exists && how == MIGC__READ_CREATE) {
		rc = createtable(m);
		exists = rc == MIGC_OK;
	}
	if (rc != MIGC_OK || !exists)
		return rc;
	rc = readrows(m, t, brief);
	/* Read in the transaction that holds the session lock: pgunchanged. */
	PG(m)->readlocked = rc == MIGC_OK && PG(m)->nlocks > 0;
	return rc;
}

static const char upsert[] =
	"INSERT INTO %s (version, name, checksum, raw_checksum, applied_at, execution_ms, "
	"statements_done, statements_total, error, done_checksum) VALUES (%s) "
	"ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, "
	"raw_checksum = EXCLUDED.raw_checksum, applied_at = EXCLUDED.applied_at, "
	"execution_ms = EXCLUDED.execution_ms, statements_done = EXCLUDED.statements_done, "
	"statements_total = EXCLUDED.statements_total, error = EXCLUDED.error, "
	"done_checksum = EXCLUDED.done_checksum";

int
migc__pgwriterow(migc *m, const struct trackrow *r)
{
	char sql[1024], version[32], ms[32], done[32], total[32];
	const char *vals[10];
	int rc, tries;

	snprintf(sql, sizeof(sql), upsert, PG(m)->qtable,
	         "$1::bigint, $2, $3, $4, $5::timestamptz, $6::bigint, $7::integer, $8::integer, $9, $10");
	snprintf(version, sizeof(version), "%lld", (long long)r->version);
	snprintf(ms, sizeof(ms), "%lld", r->ms < 0 ? 0 : r->ms);
	snprintf(done, sizeof(done), "%ld", r->done);
	snprintf(total, sizeof(total), "%ld", r->total);
	vals[0] = version;
	vals[1] = r->name;
	vals[2] = r->checksum;
	vals[3] = r->raw_checksum;
	vals[4] = r->applied_at;
	vals[5] = ms;
	vals[6] = done;
	vals[7] = total;
	vals[8] = r->error;
	vals[9] = r->done_checksum;
	if (!PG(m)->sess.guard || PQtransactionStatus(PG(m)->conn) != PQTRANS_IDLE)
		return migc__pgrunparams(m, sql, 10, vals, "cannot record the migration");
	/* Between a no-transaction migration's statements: in a transaction
	** of its own, which its settings (a read-only default, a role, a
	** timeout) do not reach. Written twice if need be when interrupted:
	** the cancel meant for the statement before may hit it instead, and
	** a statement that ran must be recorded as done. */
	for (tries = 0; tries < 2; tries++) {
		rc = migc__pgrun(m, PG(m)->sess.guard, NULL);
		if (rc == MIGC_OK)
			rc = migc__pgrunparams(m, sql, 10, vals, "cannot record the migration");
		if (rc == MIGC_OK)
			rc = migc__pgcommit(m);
		migc__pgrollback(m);
		if (rc == MIGC_OK || !m->interrupted)
			break;
	}
	return rc;
}

int
migc__pgdeleterow(migc *m, int64_t version)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE version = %lld", PG(m)->qtable, (long long)version);
	return migc__pgrun(m, sql, NULL);
}

/* The INSERT recording r, with values as literals, its time measured by
** the server from the start of the message. */
char *
migc__pgrowliteral(migc *m, const struct trackrow *r)
{
	PGconn *c = PG(m)->conn;
	char *name = PQescapeLiteral(c, r->name, strlen(r->name));
	char *at = PQescapeLiteral(c, r->applied_at, strlen(r->applied_at));
	char *vals = NULL, *sql = NULL;
	size_t n;

	if (name && at) {
		n = strlen(name) + strlen(at) + 400;
		vals = malloc(n);
		if (vals)
			snprintf(vals, n, "%lld, %s, '%s', '%s', %s::timestamptz, "
			         "(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::bigint, %ld, %ld, NULL, NULL",
			         (long long)r->version, name, r->checksum, r->raw_checksum, at, r->done, r->total);
	}
	if (vals) {
		n = sizeof(upsert) + strlen(PG(m)->qtable) + strlen(vals);
		sql = malloc(n);
		if (sql)
			snprintf(sql, n, upsert, PG(m)->qtable, vals);
	}
	PQfreemem(name);
	PQfreemem(at);
	free(vals);
	return sql;
}

/*
** Another tool's table is not migc's to trust: on a read-only handle the
** query runs in a read-only transaction of its own (BEGIN READ ONLY, as
** migc__pgsend's reads), so that not even a view that writes can; in
** migc's transaction it runs under a savepoint, so that a query that
** fails (a table of another role, of other column types) leaves the
** transaction usable.
*/
int
migc__pgquery(migc *m, const char *sql, const char *param, struct migc__rows *rows)
{
	PGconn *conn = PG(m)->conn;
	int intx = PQtransactionStatus(conn) == PQTRANS_INTRANS, own = m->readonly && !intx;
	PGresult *res;
	size_t r, c;
	int rc = MIGC_OK;

	memset(rows, 0, sizeof(*rows));
	if (intx || own) {
		res = PQexec(conn, intx ? "SAVEPOINT migc_query" : "BEGIN READ ONLY");
		rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? MIGC_OK : migc__pgconnerr(m, "cannot read");
		PQclear(res);
		if (rc != MIGC_OK)
			return rc;
	}
	res = migc__pgcancellable(m, sql, param);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = res ? migc__pgerr(m, MIGC_ERROR, "cannot read", PQresultErrorMessage(res)) : migc__pgconnerr(m, "cannot read");
		PQclear(res);
		if (intx || own)
			PQclear(PQexec(conn, intx ? "ROLLBACK TO SAVEPOINT migc_query" : "ROLLBACK"));
		return rc;
	}
	if (intx || own)
		PQclear(PQexec(conn, intx ? "RELEASE SAVEPOINT migc_query" : "COMMIT"));
	rows->ncols = (size_t)PQnfields(res);
	if (PQntuples(res) > 0 && rows->ncols > 0) {
		rows->cells = calloc((size_t)PQntuples(res) * rows->ncols, sizeof(*rows->cells));
		if (!rows->cells)
			rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	for (r = 0; rc == MIGC_OK && rows->cells && r < (size_t)PQntuples(res); r++, rows->n++)
		for (c = 0; c < rows->ncols; c++)
			if (!valdup(res, (int)r, (int)c, &rows->cells[r * rows->ncols + c]))
				rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
	PQclear(res);
	return rc;
}

int
migc__pggetrecorded(migc *m, int64_t version, char **fp, char **text)
{
	char sql[512];
	PGresult *res;
	int rc;

	*fp = *text = NULL;
	snprintf(sql, sizeof(sql), "SELECT schema_fingerprint, schema_text FROM %s WHERE version = %lld",
	         PG(m)->qtable, (long long)version);
	rc = migc__pgrun(m, sql, &res);
	if (rc != MIGC_OK)
		return rc;
	if (PQntuples(res) == 1 && !(valdup(res, 0, 0, fp) && valdup(res, 0, 1, text)))
		rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
	PQclear(res);
	return rc;
}

int
migc__pgsetrecorded(migc *m, int64_t version, const char *fp, const char *text)
{
	char sql[512], v[32];
	const char *vals[3];
	int rc;

	snprintf(sql, sizeof(sql), "UPDATE %s SET schema_text = NULL WHERE schema_text IS NOT NULL", PG(m)->qtable);
	rc = migc__pgrun(m, sql, NULL);
	if (rc != MIGC_OK)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE %s SET schema_fingerprint = $1, schema_text = $2 WHERE version = $3::bigint",
	         PG(m)->qtable);
	snprintf(v, sizeof(v), "%lld", (long long)version);
	vals[0] = fp;
	vals[1] = text;
	vals[2] = v;
	return migc__pgrunparams(m, sql, 3, vals, "cannot record the schema");
}

#endif
