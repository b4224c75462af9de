/*
** postgres.c: the PostgreSQL driver, on libpq. Migrators serialise on
** one advisory lock, polled (never a blocking pg_advisory_lock): a
** session-level lock held for a whole up run (and around a
** no-transaction migration), released on every exit path, or a
** transaction-level one for a single change. A transactional migration
** goes to the server as one message: BEGIN, statements, row, COMMIT.
** Compiled to a stub when configured --without-postgres (no MIGC_POSTGRES).
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

struct pg {
	PGconn *conn;
	int owned;                      /* PQfinish on close */
	char *qtable;                   /* "schema"."table", quoted; NULL until resolved */
	char *regclass;                 /* the same as a string literal for to_regclass */
	long long key;                  /* advisory lock key */
	int checked;                    /* pgcreatetable just found or made the table */
	int nlocks;                     /* session-level holds of the advisory lock */
	int deferbegin;                 /* a transaction is begun but BEGIN not yet sent */
	int readlocked;                 /* the table was read while the session lock was held */
	struct pgsession sess;          /* the running up or down's start state; NULLs outside one */
};

#define PG(m) ((struct pg *)(m)->db)

/* Set the error "what: msg hint", msg being libpq's text without its trailing newlines. */
static int
pgerrhint(migc *m, int rc, const char *what, const char *msg, const char *hint)
{
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		n--;
	return migc__seterr(m, rc, "%s: %.*s%s", what, (int)n, msg, hint);
}

static int
pgerr(migc *m, int rc, const char *what, const char *msg)
{
	return pgerrhint(m, rc, what, msg, "");
}

static int
connerr(migc *m, const char *what)
{
	PGconn *c = PG(m)->conn;

	if (PQstatus(c) == CONNECTION_BAD)
		return pgerr(m, MIGC_ERROR, "lost the connection to the PostgreSQL server", PQerrorMessage(c));
	return pgerr(m, MIGC_ERROR, what, PQerrorMessage(c));
}

/*
** Send the BEGIN that pgbegin deferred, before anything else goes to the
** server. (Under the session lock a transaction needs no lock of its own,
** so its BEGIN can travel with the next message: pgapply sends it with the
** migration, making an apply one round trip.)
*/
static int
begun(migc *m)
{
	PGresult *r;
	int ok;

	if (!PG(m)->deferbegin)
		return MIGC_OK;
	PG(m)->deferbegin = 0;
	r = PQexec(PG(m)->conn, "BEGIN");
	ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	return ok ? MIGC_OK : connerr(m, "cannot begin a transaction");
}

/* Run sql; on success *res holds its result (clear it) or is NULL. */
static int
run(migc *m, const char *sql, PGresult **res)
{
	ExecStatusType st;
	PGresult *r;
	int rc;

	if (res)
		*res = NULL;
	if (begun(m) != MIGC_OK)
		return MIGC_ERROR;
	r = PQexec(PG(m)->conn, sql);
	st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (res)
			*res = r;
		else
			PQclear(r);
		return MIGC_OK;
	}
	rc = r ? pgerr(m, MIGC_ERROR, "PostgreSQL", PQresultErrorMessage(r)) : connerr(m, "PostgreSQL");
	PQclear(r);
	return rc;
}

/* Run sql with n text parameters; what names it in an error. */
static int
runparams(migc *m, const char *sql, int n, const char *const *vals, const char *what)
{
	PGresult *res;
	int rc;

	if (begun(m) != MIGC_OK)
		return MIGC_ERROR;
	res = PQexecParams(PG(m)->conn, sql, n, NULL, vals, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = MIGC_OK;
	else
		rc = res ? pgerr(m, MIGC_ERROR, what, PQresultErrorMessage(res)) : connerr(m, what);
	PQclear(res);
	return rc;
}

static void
onnotice(void *arg, const PGresult *res)
{
	migc *m = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	char text[1024];

	snprintf(text, sizeof(text), "%s: %s", sev ? sev : "NOTICE", msg ? msg : "");
	migc__emit(m, MIGC_EV_NOTICE, NULL, 0, text, strlen(text));
}

static int
attach(migc *m, PGconn *conn, int owned)
{
	struct pg *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	pg->conn = conn;
	pg->owned = owned;
	/* libpq cannot give back a receiver's argument, so an application's
	** own connection keeps its receiver. */
	if (owned)
		PQsetNoticeReceiver(conn, onnotice, m);
	m->db = pg;
	m->owned = owned;
	return MIGC_OK;
}

/*
** What to do about a connection failure whose cause lies outside the URL:
** libpq asks the system for what the URL left out, and an empty root (a
** FROM scratch container) has no user accounts and maybe no /etc/hosts.
*/
static const char *
connecthint(const char *msg)
{
	if (strstr(msg, "could not look up local user ID"))
		return " (no user name given and the system has none for this process: "
		       "name one in the URL, postgres://USER@host/db or user=USER, or set PGUSER)";
	if (strstr(msg, "could not translate host name"))
		return " (host names are looked up in /etc/hosts, then through DNS as "
		       "/etc/resolv.conf says: give an IP address or provide those files)";
	return "";
}

static int
pgopen(migc *m, const char *target, int flags)
{
	const char *keys[] = { "dbname", "fallback_application_name", "client_encoding", NULL };
	const char *vals[] = { target, "migc", "UTF8", NULL };
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	int rc;

	if (!conn)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(conn);

		rc = pgerrhint(m, MIGC_ERROR, "cannot connect to PostgreSQL", msg, connecthint(msg));
		PQfinish(conn);
		return rc;
	}
	rc = attach(m, conn, 1);
	if (rc != MIGC_OK) {
		PQfinish(conn);
		return rc;
	}
	if (flags & MIGC_READONLY)
		rc = run(m, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", NULL);
	return rc;
}

/*
** An application's connection migc may use now: connected, and outside
** any transaction of the application's, which migc's COMMIT would end
** (committing its uncommitted work) or which would hold migc's
** statements hostage to its fate.
*/
static int
connidle(migc *m, PGconn *c)
{
	const char *msg = PQerrorMessage(c);
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		n--;
	if (PQstatus(c) != CONNECTION_OK)
		return migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is not connected (PQstatus %d)%s%.*s",
		              (int)PQstatus(c), n ? ": " : "", (int)n, msg);
	switch (PQtransactionStatus(c)) {
	case PQTRANS_IDLE:
		return MIGC_OK;
	case PQTRANS_INTRANS:
		return migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is inside a transaction: migc runs "
		              "its own (each migration commits with its tracking row), which would commit the "
		              "application's uncommitted work; commit or roll back first");
	case PQTRANS_INERROR:
		return migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is inside a failed transaction: roll it back first");
	case PQTRANS_ACTIVE:
		return migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is running a command: read its results first");
	default:
		return migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is in an unknown state");
	}
}

static int
pgidle(migc *m)
{
	return connidle(m, PG(m)->conn);
}

static void
pgclose(migc *m)
{
	struct pg *pg = PG(m);

	if (pg->owned)
		PQfinish(pg->conn);
	migc__pgsessionfree(&pg->sess);
	m->session = NULL;
	free(pg->qtable);
	free(pg->regclass);
	free(pg);
	m->db = NULL;
}

/* FNV-1a over "schema.table": the advisory lock key of one tracking table. */
static long long
lockkey(const char *schema, const char *table)
{
	unsigned long long h = 14695981039346656037ULL;
	const char *p;

	for (p = "migc:"; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (p = schema; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '.') * 1099511628211ULL;
	for (p = table; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (long long)h;
}

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
		return connerr(m, "cannot quote the tracking table's name");
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
		return connerr(m, "cannot quote the tracking table's name");
	pg->regclass = malloc(strlen(lit) + 1);
	if (pg->regclass)
		strcpy(pg->regclass, lit);
	PQfreemem(lit);
	if (!pg->regclass)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	pg->key = lockkey(schema, m->table);
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
		return connerr(m, "cannot quote the tracking table's name");
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
	rc = run(m, sql, res);
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
static int
resolve(migc *m)
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

/*
** Who holds the advisory lock in this database: the pid of another
** session (mine 0), or this session's own pid (mine 1), 0 for none, or
** -1 when the query failed (the message says why).
** Advisory locks are per database, but pg_locks shows those of every
** database on the server, where other migrators use the same key.
*/
static long
holder(migc *m, int mine)
{
	char sql[400];
	unsigned long long k = (unsigned long long)PG(m)->key;
	PGresult *res;
	long pid = -1;

	snprintf(sql, sizeof(sql),
	         "SELECT pid FROM pg_catalog.pg_locks WHERE locktype = 'advisory' "
	         "AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
	         "AND classid = %llu AND objid = %llu AND objsubid = 1 AND granted "
	         "AND pid %s pg_catalog.pg_backend_pid() LIMIT 1",
	         k >> 32, k & 0xffffffffULL, mine ? "=" : "<>");
	if (run(m, sql, &res) == MIGC_OK) {
		pid = PQntuples(res) == 1 ? atol(PQgetvalue(res, 0, 0)) : 0;
		PQclear(res);
	}
	return pid;
}

/* The pid of another session holding the advisory lock, or 0. */
static long
lockholder(migc *m)
{
	long pid = holder(m, 0);

	migc__clearerr(m);
	return pid > 0 ? pid : 0;
}

/*
** Take the advisory lock, polling until the lock timeout, and say once
** that it is waiting, and for whom. xact: the transaction-level lock, in
** a transaction begun with it. Each try of the transaction-level lock is
** its own transaction, rolled back when it fails, so a waiter never keeps
** a transaction open: CREATE INDEX CONCURRENTLY, which waits for older
** transactions, would otherwise wait for the waiters while they wait for
** it.
*/
static int
lockpoll(migc *m, int xact)
{
	long long start = migc__monotonicms();
	char sql[128];
	int waited = 0;

	snprintf(sql, sizeof(sql), xact ? "BEGIN; SELECT pg_try_advisory_xact_lock(%lld)" : "SELECT pg_try_advisory_lock(%lld)",
	         PG(m)->key);
	for (;;) {
		struct timespec pause = { 0, 100 * 1000000L };
		PGresult *res;
		int got, rc;

		rc = run(m, sql, &res);
		if (rc != MIGC_OK)
			return rc;
		got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (got)
			return MIGC_OK;
		if (xact)
			PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
		if (migc__monotonicms() - start >= (long long)m->lock_timeout * 1000) {
			long pid = lockholder(m);

			return migc__seterr(m, MIGC_BUSY, "timed out after %d s waiting for the migration lock held by pid %ld "
			              "(migc_set_lock_timeout)", m->lock_timeout, pid);
		}
		if (!waited) {
			char text[128];

			snprintf(text, sizeof(text), "waiting for the migration lock held by pid %ld", lockholder(m));
			migc__emit(m, MIGC_EV_NOTICE, NULL, 0, text, strlen(text));
			waited = 1;
		}
		nanosleep(&pause, NULL);
	}
}

static int
pgbegin(migc *m)
{
	int rc = resolve(m);

	if (rc == MIGC_OK && PG(m)->nlocks > 0) {
		PG(m)->deferbegin = 1;
		return MIGC_OK;
	}
	if (rc == MIGC_OK)
		rc = lockpoll(m, 1);
	if (rc != MIGC_OK && PQtransactionStatus(PG(m)->conn) != PQTRANS_IDLE)
		PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
	return rc;
}

static int
pgcommit(migc *m)
{
	PGresult *res;
	int rc;

	PG(m)->deferbegin = 0;
	if (PQtransactionStatus(PG(m)->conn) == PQTRANS_IDLE)
		return MIGC_OK;
	rc = run(m, "COMMIT", &res);
	if (rc == MIGC_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = migc__seterr(m, MIGC_ERROR, "COMMIT rolled back: the transaction had failed");
	PQclear(res);
	return rc;
}

static void
pgrollback(migc *m)
{
	PG(m)->deferbegin = 0;
	if (PQtransactionStatus(PG(m)->conn) != PQTRANS_IDLE)
		PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
}

/* Byte offset in s[0..n) of the 1-based character position pos (UTF-8). */
static long
charoffset(const char *s, size_t n, long pos)
{
	size_t i;
	long chars = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == pos)
			return (long)i;
	}
	return -1;
}

/*
** Report a failed statement i of sc: file:line:col, the server's
** message, detail, hint, context and SQLSTATE. text[0..n) is what was
** sent, the statement starting at byte `start` of it.
*/
static int
stmterr(migc *m, const struct migc_script *sc, unsigned long i, const PGresult *res,
        const char *text, size_t n, size_t start)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	unsigned long line, col;
	long off = -1;

	if (pos)
		off = charoffset(text, n, atol(pos));
	if (off >= 0)
		off -= (long)start;
	migc__stmtpos(sc, i, off, &line, &col);
	migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: %s: %s (SQLSTATE %s, statement %lu of %lu)", sc->file, line, col,
	       sev ? sev : "ERROR", msg ? msg : PQresultErrorMessage(res), state ? state : "?", i + 1, sc->nstmts);
	if (detail)
		migc__adderr(m, "DETAIL: %s", detail);
	if (hint)
		migc__adderr(m, "HINT: %s", hint);
	if (context)
		migc__adderr(m, "CONTEXT: %s", context);
	return MIGC_ERROR;
}

/* What the server hears when a migration's COPY asks for client data. */
#define NOCOPYIN "COPY ... FROM STDIN is not supported in a migration: it has no client data to send"

/*
** The next result of a message sent with PQsendQuery in single-row mode,
** or NULL at its end. Rows (PGRES_SINGLE_TUPLE) are dropped as they
** come, so a SELECT of millions of rows holds one at a time; the zero-row
** PGRES_TUPLES_OK after them stands for the statement. A COPY that wants
** the client's data stream, which a migration does not have, is ended:
** FROM STDIN is failed with PQputCopyEnd (the server then reports the
** error), TO STDOUT's rows are read and dropped and *copyout set (the
** result that follows is the COPY's own). Any other status (COPY BOTH,
** pipeline results), or a COPY that cannot be ended, stops the reading:
** NULL, with *odd set to the status. So a loop over it always ends.
*/
static PGresult *
nextresult(PGconn *c, int *copyout, int *odd)
{
	PGresult *res;
	char *row;
	int n;

	while ((res = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		switch (st) {
		case PGRES_EMPTY_QUERY:
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_BAD_RESPONSE:
		case PGRES_NONFATAL_ERROR:
		case PGRES_FATAL_ERROR:
			return res;
		case PGRES_SINGLE_TUPLE:
			PQclear(res);
			continue;
		case PGRES_COPY_IN:
			PQclear(res);
			if (PQputCopyEnd(c, NOCOPYIN) == 1)
				continue;
			break;
		case PGRES_COPY_OUT:
			PQclear(res);
			while ((n = PQgetCopyData(c, &row, 0)) > 0)
				PQfreemem(row);
			*copyout = 1;
			if (n == -1)
				continue;
			break;
		default:
			PQclear(res);
			break;
		}
		*odd = (int)st;
		return NULL;
	}
	return NULL;
}

/* The error of statement i of sc, a COPY ... TO STDOUT whose rows were
** dropped; committed: the server committed the migration regardless. */
static int
copyerr(migc *m, const struct migc_script *sc, unsigned long i, int committed)
{
	unsigned long line, col;

	migc__stmtpos(sc, i, -1, &line, &col);
	return migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: COPY ... TO STDOUT is not supported in a migration: its rows go to a "
	              "client, and a migration has none (migc read and dropped them; migc gen refuses this statement)%s",
	              sc->file, line, col, committed ? "; the server had already committed the migration, and its "
	              "tracking row, when they arrived" : "");
}

/* The error of a result status the reading of statement i's results
** cannot go on from (nextresult's *odd). */
static int
odderr(migc *m, const struct migc_script *sc, unsigned long i, int status)
{
	unsigned long line, col;

	if (i >= sc->nstmts)
		return migc__seterr(m, MIGC_ERROR, "%s: PostgreSQL answered with %s, which migc cannot take part in",
		              sc->file, PQresStatus((ExecStatusType)status));
	migc__stmtpos(sc, i, -1, &line, &col);
	return migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: PostgreSQL answered with %s, which migc cannot take part in "
	              "(statement %lu of %lu)", sc->file, line, col, PQresStatus((ExecStatusType)status),
	              i + 1, sc->nstmts);
}

static int
failed(ExecStatusType st)
{
	return st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY;
}

static int
pgexec(migc *m, const struct migc_script *sc, unsigned long i)
{
	const struct migc_stmt *st = &sc->stmts[i];
	PGconn *c = PG(m)->conn;
	char *sql = malloc(st->length + 1);
	PGresult *res;
	int rc = MIGC_OK, copyout = 0, odd = 0;

	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	memcpy(sql, sc->sql + st->offset, st->length);
	sql[st->length] = '\0';
	if (begun(m) != MIGC_OK) {
		free(sql);
		return MIGC_ERROR;
	}
	if (!PQsendQuery(c, sql)) {
		free(sql);
		return connerr(m, sc->file);
	}
	PQsetSingleRowMode(c);
	while ((res = nextresult(c, &copyout, &odd)) != NULL) {
		if (rc == MIGC_OK && failed(PQresultStatus(res)))
			rc = stmterr(m, sc, i, res, sql, st->length, 0);
		else if (rc == MIGC_OK && copyout)
			rc = copyerr(m, sc, i, 0);
		copyout = 0;
		PQclear(res);
	}
	if (rc == MIGC_OK && odd)
		rc = odderr(m, sc, i, odd);
	free(sql);
	return rc;
}

/* Does the tracking table exist (*exists), and if so is it migc's, of a
** layout this migc knows? Without --schema, one that is not there but in
** another schema is refused (moved). */
static int
tablecheck(migc *m, int *exists)
{
	const char *head[] = { "SELECT q IS NOT NULL, obj_description(q, 'pg_class'), e.* FROM to_regclass(",
	                       NULL, ") q, ", NULL };
	PGresult *res;
	int rc;

	*exists = 0;
	rc = resolve(m);
	if (rc != MIGC_OK)
		return rc;
	head[1] = PG(m)->regclass;
	rc = askelsewhere(m, head, m->schema[0] ? "false" : "q IS NULL", &res);
	if (rc != MIGC_OK)
		return rc;
	*exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	if (*exists)
		rc = migc__checkmarker(m, PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1));
	else
		rc = moved(m, res, 2, m->tableschema);
	PQclear(res);
	return rc;
}

/* Make the table unless it exists. The engine reads it right after, in the
** same transaction: pgreadtable then skips checking again. */
static int
pgcreatetable(migc *m)
{
	char sql[1024];
	int rc, exists;

	rc = tablecheck(m, &exists);
	if (rc != MIGC_OK || exists) {
		PG(m)->checked = rc == MIGC_OK;
		return rc;
	}
	snprintf(sql, sizeof(sql),
	         "CREATE TABLE %s ("
	         "version bigint PRIMARY KEY, "
	         "name text NOT NULL, "
	         "checksum text NOT NULL, "
	         "raw_checksum text NOT NULL, "
	         "applied_at timestamptz NOT NULL, "
	         "execution_ms bigint NOT NULL, "
	         "statements_done integer NOT NULL, "
	         "statements_total integer NOT NULL, "
	         "error text, "
	         "done_checksum text, "
	         "schema_fingerprint text, "
	         "schema_text text); "
	         "COMMENT ON TABLE %s IS '" TRACK_MARKER "1'", PG(m)->qtable, PG(m)->qtable);
	rc = run(m, sql, NULL);
	PG(m)->checked = rc == MIGC_OK;
	return rc;
}

/*
** The columns of a tracking row, in struct trackrow's order. brief: only
** what the no-op check (uptodate) reads; the others come as NULL or 0,
** which saves the server most of its formatting on a fresh connection.
*/
static const char fullcolumns[] =
	"version, name, checksum, raw_checksum, "
	"to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
	"execution_ms, statements_done, statements_total, error, done_checksum, "
	"schema_fingerprint IS NOT NULL";
static const char briefcolumns[] =
	"version, NULL, checksum, raw_checksum, NULL, 0, statements_done, statements_total, "
	"error, NULL, schema_fingerprint IS NOT NULL";

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

/* The rows of res, a read of the columns above, into t in version order. */
static int
takerows(migc *m, const PGresult *res, struct track *t)
{
	int i, n = PQntuples(res), sorted = 1, ok = 1;

	t->rows = calloc((size_t)n + 1, sizeof(*t->rows));
	t->cap = (size_t)n + 1;
	if (!t->rows)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (i = 0; i < n && ok; i++) {
		struct trackrow *r = &t->rows[i];

		r->version = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		r->ms = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		r->done = strtol(PQgetvalue(res, i, 6), NULL, 10);
		r->total = strtol(PQgetvalue(res, i, 7), NULL, 10);
		r->hasschema = PQgetvalue(res, i, 10)[0] == 't';
		ok = valdup(res, i, 1, &r->name) && valdup(res, i, 2, &r->checksum) &&
		     valdup(res, i, 3, &r->raw_checksum) && valdup(res, i, 4, &r->applied_at) &&
		     valdup(res, i, 8, &r->error) && valdup(res, i, 9, &r->done_checksum);
		t->n++;
		sorted = sorted && (i == 0 || t->rows[i - 1].version < r->version);
	}
	if (!ok)
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
		return pgerr(m, MIGC_ERROR, "the tracking table has a layout this migc does not know",
		             PQresultErrorMessage(res));
	return res ? pgerr(m, MIGC_ERROR, "cannot read the tracking table", PQresultErrorMessage(res))
	           : connerr(m, "cannot read the tracking table");
}

/* Read the table, known to exist, by its qualified name. */
static int
readrows(migc *m, struct track *t, int brief)
{
	char sql[1024];
	PGresult *res;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s", brief ? briefcolumns : fullcolumns, PG(m)->qtable);
	if (begun(m) != MIGC_OK)
		return MIGC_ERROR;
	res = PQexec(PG(m)->conn, sql);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = takerows(m, res, t);
	else
		rc = readerr(m, res);
	PQclear(res);
	return rc;
}

/* The remaining results of a message sent with PQsendQuery, cleared. */
static void
drain(PGconn *conn)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
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

/*
** Outside a transaction, read the table in one round trip: a message of
** two statements. The first finds the schema (the one given or already
** resolved, else current_schema()), whether the table exists there,
** whether its bare name leads to that same table, and its layout mark;
** only when it is not there and no --schema was given does a second
** message look for tracking tables in other schemas (lookelsewhere).
** The second statement reads the table by the name that will do:
** qualified when the schema is known, else bare, since the schema is not
** known yet when the message is written. When
** the bare name leads elsewhere (a temporary table of that name, or none
** in the current schema but one further down the search_path) the second
** result is dropped and the table read again by its qualified name. When
** the table does not exist the second statement fails, harmlessly:
** outside a transaction block it changes nothing.
*/
static int
readonce(migc *m, struct track *t, int brief)
{
	PGconn *conn = PG(m)->conn;
	const char *given = m->schema[0] ? m->schema : PG(m)->qtable ? m->tableschema : NULL;
	char *table, *schema, *bare, *sql;
	const char *name;
	PGresult *res;
	size_t n;
	int rc, exists, same;

	if (m->schema[0] && !PG(m)->qtable && (rc = settable(m, m->schema)) != MIGC_OK)
		return rc;
	table = PQescapeLiteral(conn, m->table, strlen(m->table));
	schema = given ? PQescapeLiteral(conn, given, strlen(given)) : NULL;
	bare = PQescapeIdentifier(conn, m->table, strlen(m->table));
	if (!table || !bare || (given && !schema)) {
		PQfreemem(table);
		PQfreemem(schema);
		PQfreemem(bare);
		return connerr(m, "cannot quote the tracking table's name");
	}
	name = given ? PG(m)->qtable : bare;
	n = 2 * strlen(table) + (schema ? strlen(schema) : 0) + strlen(name) + sizeof(fullcolumns) + 256;
	sql = malloc(n);
	if (sql)
		snprintf(sql, n,
		         "SELECT s, q IS NOT NULL, q IS NOT DISTINCT FROM to_regclass(quote_ident(%s)), "
		         "obj_description(q, 'pg_class') "
		         "FROM (SELECT %s AS s) a, to_regclass(quote_ident(s) || '.' || quote_ident(%s)) q; "
		         "SELECT %s FROM %s",
		         table, schema ? schema : "current_schema()", table,
		         brief ? briefcolumns : fullcolumns, name);
	PQfreemem(table);
	PQfreemem(schema);
	PQfreemem(bare);
	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	rc = PQsendQuery(conn, sql) ? MIGC_OK : connerr(m, "cannot read the tracking table");
	free(sql);
	if (rc != MIGC_OK)
		return rc;
	res = PQgetResult(conn);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = readerr(m, res);
		PQclear(res);
		drain(conn);
		return rc;
	}
	if (PQgetisnull(res, 0, 0))
		rc = MIGC_INPUT;        /* after the drain: noschema */
	else if (!PG(m)->qtable)
		rc = settable(m, PQgetvalue(res, 0, 0));
	exists = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	same = given || strcmp(PQgetvalue(res, 0, 2), "t") == 0;   /* a qualified name is right */
	if (rc == MIGC_OK && exists)
		rc = migc__checkmarker(m, PQgetisnull(res, 0, 3) ? NULL : PQgetvalue(res, 0, 3));
	PQclear(res);
	res = PQgetResult(conn);
	if (rc == MIGC_OK && exists && same)
		rc = res && PQresultStatus(res) == PGRES_TUPLES_OK ? takerows(m, res, t) : readerr(m, res);
	PQclear(res);
	drain(conn);
	/* Not where this run looks: only now, rarely (a new database, or one
	** whose search_path moved), ask where else a tracking table is, so
	** the common read stays one light message. */
	if (rc == MIGC_INPUT || (rc == MIGC_OK && !exists && !m->schema[0]))
		rc = lookelsewhere(m, rc == MIGC_INPUT ? NULL : m->tableschema);
	if (rc == MIGC_OK && exists && !same)
		rc = readrows(m, t, brief);
	return rc;
}

static int
pgreadtable(migc *m, struct track *t, int brief)
{
	int rc, exists;

	if (PG(m)->checked) {
		PG(m)->checked = 0;
	} else {
		if (!PG(m)->deferbegin && PQtransactionStatus(PG(m)->conn) == PQTRANS_IDLE)
			return readonce(m, t, brief);
		rc = tablecheck(m, &exists);
		if (rc != MIGC_OK || !exists)
			return rc;
	}
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

static int
pgwriterow(migc *m, const struct trackrow *r)
{
	char sql[1024], version[32], ms[32], done[32], total[32];
	const char *vals[10];
	int rc;

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
	if (!PG(m)->sess.guard || PG(m)->deferbegin || PQtransactionStatus(PG(m)->conn) != PQTRANS_IDLE)
		return runparams(m, sql, 10, vals, "cannot record the migration");
	/* Between a no-transaction migration's statements: in a transaction
	** of its own, which its settings (a read-only default, a role, a
	** timeout) do not reach. */
	rc = run(m, PG(m)->sess.guard, NULL);
	if (rc == MIGC_OK)
		rc = runparams(m, sql, 10, vals, "cannot record the migration");
	if (rc == MIGC_OK)
		rc = pgcommit(m);
	pgrollback(m);
	return rc;
}

static int
pgdeleterow(migc *m, int64_t version)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE version = %lld", PG(m)->qtable, (long long)version);
	return run(m, sql, NULL);
}

/* Append s to the growing message *buf. */
static int
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t ncap = (*cap ? *cap : 1024);
		char *p;

		while (ncap < *len + n + 1)
			ncap *= 2;
		p = realloc(*buf, ncap);
		if (!p)
			return -1;
		*buf = p;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* The INSERT recording r, with values as literals, its time measured by
** the server from the start of the message. */
static char *
rowliteral(migc *m, const struct trackrow *r)
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
** One message: every statement of the migration, the INSERT of its row
** and COMMIT. libpq returns one result per statement, so the first error
** tells which statement failed; its position maps back to file:line:col.
*/
static int
pgapply(migc *m, const struct migc_migration *mig, const struct trackrow *r, int commit)
{
	const struct migc_script *sc = &mig->up;
	PGconn *c = PG(m)->conn;
	size_t len = 0, cap = 0, *starts;
	char *buf = NULL, *row;
	unsigned long i, nok = 0;
	PGresult *res, *bad = NULL;
	int rc = MIGC_OK, lead = PG(m)->deferbegin;     /* BEGIN first, in this message */
	int beginfailed;
	unsigned long nreset = PG(m)->sess.reset ? (unsigned long)PG(m)->sess.nreset : 0;

	starts = malloc((sc->nstmts + 1) * sizeof(*starts));
	row = rowliteral(m, r);
	if (!starts || !row) {
		free(starts);
		free(row);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	PG(m)->deferbegin = 0;
	if (lead && append(&buf, &len, &cap, "BEGIN;\n", 7) != 0)
		rc = MIGC_NOMEM;
	for (i = 0; i < sc->nstmts && rc == MIGC_OK; i++) {
		const struct migc_stmt *st = &sc->stmts[i];
		const char *text = sc->sql + st->offset;
		int semi = st->length > 0 && text[st->length - 1] == ';';

		starts[i] = len;
		if (append(&buf, &len, &cap, text, st->length) != 0 ||
		    append(&buf, &len, &cap, semi ? "\n" : ";\n", semi ? 1 : 2) != 0)
			rc = MIGC_NOMEM;
	}
	/* The session as the run began, before the row is written. */
	if (rc == MIGC_OK && nreset && (append(&buf, &len, &cap, PG(m)->sess.reset, strlen(PG(m)->sess.reset)) != 0 ||
	                                append(&buf, &len, &cap, ";\n", 2) != 0))
		rc = MIGC_NOMEM;
	if (rc == MIGC_OK && (append(&buf, &len, &cap, row, strlen(row)) != 0 ||
	                      append(&buf, &len, &cap, commit ? ";\nCOMMIT;" : ";", commit ? 9 : 1) != 0))
		rc = MIGC_NOMEM;
	free(row);
	if (rc != MIGC_OK) {
		free(starts);
		free(buf);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	if (!PQsendQuery(c, buf)) {
		rc = connerr(m, sc->file);
	} else {
		long copyat = -1;       /* the result of a COPY ... TO STDOUT, if one came before any error */
		int copyout = 0, odd = 0;

		PQsetSingleRowMode(c);
		while ((res = nextresult(c, &copyout, &odd)) != NULL) {
			if (!failed(PQresultStatus(res))) {
				if (copyout && !bad && copyat < 0)
					copyat = (long)nok;
				if (!bad)
					nok++;
				PQclear(res);
			} else if (!bad) {
				bad = res;
			} else {
				PQclear(res);
			}
			copyout = 0;
		}
		beginfailed = lead && bad && nok == 0;
		if (lead && nok > 0)
			nok--;          /* BEGIN's result is not a statement's */
		if (copyat >= 0)
			rc = copyerr(m, sc, (unsigned long)(copyat - lead), commit && !bad && !odd &&
			             PQtransactionStatus(c) == PQTRANS_IDLE);
		else if (beginfailed)
			rc = pgerr(m, MIGC_ERROR, "cannot begin a transaction", PQresultErrorMessage(bad));
		else if (bad && nok < sc->nstmts)
			rc = stmterr(m, sc, nok, bad, buf, len, starts[nok]);
		else if (bad && nok < sc->nstmts + nreset)
			rc = pgerr(m, MIGC_ERROR, "cannot reset the session after the migration", PQresultErrorMessage(bad));
		else if (bad)
			rc = pgerr(m, MIGC_ERROR, nok == sc->nstmts + nreset ? "cannot record the migration" : "COMMIT failed",
			           PQresultErrorMessage(bad));
		else if (odd)
			rc = odderr(m, sc, nok, odd);
		else if (PQstatus(c) == CONNECTION_BAD)
			rc = connerr(m, sc->file);
		PQclear(bad);
	}
	free(starts);
	free(buf);
	return rc;
}

/* Session-level holds stack: each pglocksession needs its unlock. */
static int
pglocksession(migc *m)
{
	int rc = resolve(m);

	if (rc == MIGC_OK)
		rc = lockpoll(m, 0);
	if (rc == MIGC_OK)
		PG(m)->nlocks++;
	return rc;
}

static void
pgunlocksession(migc *m)
{
	char sql[64];

	pgrollback(m);
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", PG(m)->key);
	PQclear(PQexec(PG(m)->conn, sql));
	if (PG(m)->nlocks > 0 && --PG(m)->nlocks == 0)
		PG(m)->readlocked = 0;
}

/* Under the session lock no other migrator can have written the table. */
static int
pgunchanged(migc *m)
{
	return PG(m)->readlocked;
}

/* Every user object in one catalog query, the tracking table left out. */
static const char schemaquery[] =
	"WITH tr AS (SELECT to_regclass(%s) AS oid), "
	"ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') "
	"  AND nspname NOT LIKE 'pg\\_toast%%' AND nspname NOT LIKE 'pg\\_temp%%'), "
	"rel AS (SELECT c.oid, c.relkind, ns.nspname || '.' || c.relname AS name FROM pg_class c "
	"  JOIN ns ON ns.oid = c.relnamespace WHERE c.oid IS DISTINCT FROM (SELECT oid FROM tr)) "
	"SELECT 'table', name, '' FROM rel WHERE relkind IN ('r', 'p') "
	"UNION ALL SELECT 'column', r.name || '.' || a.attname, format_type(a.atttypid, a.atttypmod) "
	"  || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END "
	"  || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') "
	"  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped "
	"  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE r.relkind IN ('r', 'p') "
	"UNION ALL SELECT 'index', r.name, pg_get_indexdef(i.indexrelid) FROM pg_index i "
	"  JOIN rel r ON r.oid = i.indexrelid WHERE i.indrelid IS DISTINCT FROM (SELECT oid FROM tr) "
	"UNION ALL SELECT 'constraint', r.name || '.' || co.conname, pg_get_constraintdef(co.oid) "
	"  FROM pg_constraint co JOIN rel r ON r.oid = co.conrelid "
	"UNION ALL SELECT CASE r.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, r.name, "
	"  pg_get_viewdef(r.oid) FROM rel r WHERE r.relkind IN ('v', 'm') "
	"UNION ALL SELECT 'sequence', r.name, format_type(q.seqtypid, NULL) || ' start ' || q.seqstart "
	"  || ' increment ' || q.seqincrement FROM rel r JOIN pg_sequence q ON q.seqrelid = r.oid "
	"UNION ALL SELECT 'trigger', r.name || '.' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
	"  JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal "
	"UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, "
	"  ns.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
	"  'definition md5 ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace "
	"  WHERE p.prokind IN ('f', 'p') "
	"UNION ALL SELECT 'enum', ns.nspname || '.' || t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) "
	"  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1, 2";

static int
pgschema(migc *m, char **text)
{
	struct lines l = {NULL, 0, 0};
	PGresult *res;
	char *sql;
	int rc, i;

	*text = NULL;
	rc = resolve(m);
	if (rc != MIGC_OK)
		return rc;
	sql = malloc(sizeof(schemaquery) + strlen(PG(m)->regclass));
	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	sprintf(sql, schemaquery, PG(m)->regclass);
	rc = run(m, sql, &res);
	free(sql);
	if (rc != MIGC_OK)
		return rc;
	for (i = 0; i < PQntuples(res) && rc == MIGC_OK; i++)
		rc = migc__linesadd(&l, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
	PQclear(res);
	*text = migc__linesjoin(&l);
	if (rc == MIGC_OK && !*text)
		rc = MIGC_NOMEM;
	return rc == MIGC_NOMEM ? migc__seterr(m, rc, "out of memory") : rc;
}

static int
pggetrecorded(migc *m, int64_t version, char **fp, char **text)
{
	char sql[512];
	PGresult *res;
	int rc;

	*fp = *text = NULL;
	snprintf(sql, sizeof(sql), "SELECT schema_fingerprint, schema_text FROM %s WHERE version = %lld",
	         PG(m)->qtable, (long long)version);
	rc = run(m, sql, &res);
	if (rc != MIGC_OK)
		return rc;
	if (PQntuples(res) == 1 && !(valdup(res, 0, 0, fp) && valdup(res, 0, 1, text)))
		rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
	PQclear(res);
	return rc;
}

static int
pgsetrecorded(migc *m, int64_t version, const char *fp, const char *text)
{
	char sql[512], v[32];
	const char *vals[3];
	int rc;

	snprintf(sql, sizeof(sql), "UPDATE %s SET schema_text = NULL WHERE schema_text IS NOT NULL", PG(m)->qtable);
	rc = run(m, sql, NULL);
	if (rc != MIGC_OK)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE %s SET schema_fingerprint = $1, schema_text = $2 WHERE version = $3::bigint",
	         PG(m)->qtable);
	snprintf(v, sizeof(v), "%lld", (long long)version);
	vals[0] = fp;
	vals[1] = text;
	vals[2] = v;
	return runparams(m, sql, 3, vals, "cannot record the schema");
}

/* The connection's client_encoding, into out. */
static void
clientencoding(migc *m, char out[64])
{
	const char *enc = PQparameterStatus(PG(m)->conn, "client_encoding");

	snprintf(out, 64, "%s", enc ? enc : "");
}

/* Forget the resolved tracking table when the client encoding changed:
** its name came in the old one. */
static void
encodingchanged(migc *m, const char *before)
{
	const char *now = PQparameterStatus(PG(m)->conn, "client_encoding");

	if (before && now && strcmp(before, now) == 0)
		return;
	free(PG(m)->qtable);
	free(PG(m)->regclass);
	PG(m)->qtable = PG(m)->regclass = NULL;
}

static int
pgsessionstart(migc *m)
{
	char enc[64];
	int rc;

	clientencoding(m, enc);
	migc__pgsessionfree(&PG(m)->sess);
	m->session = NULL;
	rc = migc__pgsessionsave(m, PG(m)->conn, PG(m)->owned, &PG(m)->sess);
	encodingchanged(m, enc);
	if (rc != MIGC_OK)
		return rc;
	m->session = &PG(m)->sess;
	return MIGC_OK;
}

/*
** After a no-transaction migration (the one kind that can run DISCARD
** ALL), under the session lock: is it still held? A migration that
** released it (migc gen refuses DISCARD ALL and pg_advisory_unlock_all,
** but a function can hide one) would let another migrator in.
*/
static int
stillheld(migc *m)
{
	long pid = PG(m)->nlocks ? holder(m, 1) : 1;

	if (pid < 0)
		return MIGC_ERROR;
	if (pid > 0)
		return MIGC_OK;
	PG(m)->nlocks = 0;
	return migc__seterr(m, MIGC_ERROR, "the migration released migc's migration lock (DISCARD ALL or "
	              "pg_advisory_unlock_all()), so another migrator could have come in: the run stops here; run migc_up again");
}

static int
pgsessionreset(migc *m, int final)
{
	const char *sql = final ? PG(m)->sess.restore : PG(m)->sess.reset;
	char enc[64];
	int rc;

	clientencoding(m, enc);
	rc = sql ? run(m, sql, NULL) : MIGC_OK;
	if (rc != MIGC_OK) {
		char *msg = migc__strdup(migc_errmsg(m));

		rc = pgerr(m, msg ? MIGC_ERROR : MIGC_NOMEM, "cannot reset the session after the migration", msg ? msg : "out of memory");
		free(msg);
	}
	if (rc == MIGC_OK && !final)
		rc = stillheld(m);
	if (final) {
		migc__pgsessionfree(&PG(m)->sess);
		m->session = NULL;
		encodingchanged(m, enc);
	}
	return rc;
}

static long
pglockholder(migc *m)
{
	return resolve(m) == MIGC_OK ? lockholder(m) : 0;
}

const struct migc_driver migc_driver_postgres = {
	"postgres",
	pgopen,
	pgclose,
	pgbegin,
	pgcommit,
	pgrollback,
	pgexec,
	pgcreatetable,
	pgreadtable,
	pgwriterow,
	pgdeleterow,
	NULL,
	NULL,
	pgapply,
	pglocksession,
	pgunlocksession,
	pgschema,
	pggetrecorded,
	pgsetrecorded,
	pglockholder,
	pgsessionstart,
	pgsessionreset,
	pgunchanged,
	pgidle,
};

static int
wrap(migc *m, PGconn *conn, const struct migc_set *set)
{
	int rc;

	if (!set || set->layout != MIGC_LAYOUT || set->driver != &migc_driver_postgres)
		return migc__seterr(m, MIGC_INPUT, "the migration set is not a postgres set of record layout %d: run migc gen again",
		              MIGC_LAYOUT);
	if (!conn)
		return migc__seterr(m, MIGC_INPUT, "migc_wrap_pg: the connection is NULL");
	rc = connidle(m, conn);
	if (rc == MIGC_OK) {
		m->drv = &migc_driver_postgres;
		rc = attach(m, conn, 0);
	}
	return rc;
}

int
migc_wrap_pg(migc **out, struct pg_conn *conn, const struct migc_set *set)
{
	int rc = migc__newhandle(out, set);

	if (rc != MIGC_OK)
		return rc;
	return migc__openresult(*out, wrap(*out, conn, set));
}

#else /* built --without-postgres: the API is there and says so */

static int
nopostgres(migc *m)
{
	return migc__seterr(m, MIGC_INPUT, "this migc was built without PostgreSQL support (./configure --without-postgres)");
}

static int
stubopen(migc *m, const char *target, int flags)
{
	(void)target;
	(void)flags;
	return nopostgres(m);
}

/* Opens nothing, so no other function of it is ever called. */
const struct migc_driver migc_driver_postgres = { "postgres", stubopen };

int
migc_wrap_pg(migc **out, struct pg_conn *conn, const struct migc_set *set)
{
	int rc = migc__newhandle(out, set);

	(void)conn;
	(void)set;
	if (rc != MIGC_OK)
		return rc;
	return migc__openresult(*out, nopostgres(*out));
}

#endif
