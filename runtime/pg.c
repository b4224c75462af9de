/*
** pg.c: the PostgreSQL driver, on libpq: the connection (open, wrap, close,
** idle), errors, running SQL, the write transaction, the session a run
** starts from, and the driver table. Its other concerns have files of
** their own: pglock.c (the migration lock), pgexec.c (statements and the
** one-message apply), pgtrack.c (the tracking table and where it is),
** pgschema.c (the live schema). Compiled to a stub when configured
** --without-postgres (no MIGC_POSTGRES).
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

/* Set the error "what: msg hint", msg being libpq's text without its trailing newlines. */
static int
pgerrhint(migc *m, int rc, const char *what, const char *msg, const char *hint)
{
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		n--;
	return migc__seterr(m, rc, "%s: %.*s%s", what, (int)n, msg, hint);
}

int
migc__pgerr(migc *m, int rc, const char *what, const char *msg)
{
	return pgerrhint(m, rc, what, msg, "");
}

int
migc__pgconnerr(migc *m, const char *what)
{
	PGconn *c = PG(m)->conn;

	if (PQstatus(c) == CONNECTION_BAD)
		return migc__pgerr(m, MIGC_ERROR, "lost the connection to the PostgreSQL server", PQerrorMessage(c));
	return migc__pgerr(m, MIGC_ERROR, what, PQerrorMessage(c));
}

/*
** Was r a statement of migc's own, outside any transaction, that a cancel
** meant for the migration's statement before it hit (the migration's
** statement finished as the interrupt came)? Then it did nothing, and is
** run once more.
*/
int
migc__cancelledlate(migc *m, const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return m->interrupted && state && strcmp(state, "57014") == 0 &&
	       PQtransactionStatus(PG(m)->conn) == PQTRANS_IDLE;
}

/*
** Send sql (PQsendQuery). On a read-only handle, outside a transaction,
** it goes in a read-only transaction of its own, in the same message:
** "BEGIN READ ONLY; sql; COMMIT", the BEGIN's result read here. The
** server refuses any write, and the setting ends with the transaction, so
** that through a transaction pooler (PgBouncer) the next client of the
** server connection finds none of it, as it would a SET SESSION
** CHARACTERISTICS. Read the results with PQgetResult, then migc__pgdrain.
** A read-only handle never begins a transaction of its own (it takes no
** lock), so sql never holds a BEGIN.
*/
int
migc__pgsend(migc *m, const char *sql)
{
	PGconn *c = PG(m)->conn;
	char *wrapped;
	int sent;

	if (!m->readonly || PQtransactionStatus(c) != PQTRANS_IDLE)
		return PQsendQuery(c, sql);
	wrapped = malloc(strlen(sql) + 32);
	if (!wrapped)
		return 0;
	sprintf(wrapped, "BEGIN READ ONLY; %s; COMMIT", sql);
	sent = PQsendQuery(c, wrapped);
	free(wrapped);
	if (sent)
		PQclear(PQgetResult(c));        /* BEGIN */
	return sent;
}

/* Read what is left of the results of migc__pgsend, and roll back the
** read-only transaction a failed statement left open. */
void
migc__pgdrain(migc *m)
{
	PGresult *r;

	while ((r = PQgetResult(PG(m)->conn)) != NULL)
		PQclear(r);
	if (m->readonly && PQtransactionStatus(PG(m)->conn) == PQTRANS_INERROR)
		PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
}

/* PQexec of sql through migc__pgsend: its last statement's result (not
** the COMMIT's that migc__pgsend may add), or NULL. */
static PGresult *
pgexec(migc *m, const char *sql)
{
	PGconn *c = PG(m)->conn;
	PGresult *r, *last = NULL, *before = NULL;
	int wrapped = m->readonly && PQtransactionStatus(c) == PQTRANS_IDLE;

	if (!wrapped)
		return PQexec(c, sql);
	if (!migc__pgsend(m, sql))
		return NULL;
	while ((r = PQgetResult(c)) != NULL) {
		PQclear(before);
		before = last;
		last = r;
		if (PQstatus(c) == CONNECTION_BAD)
			break;
	}
	if (before && last && PQresultStatus(last) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(last), "COMMIT") == 0) {
		PQclear(last);
		last = before;
	} else {
		PQclear(before);
	}
	migc__pgdrain(m);
	return last;
}

/* PQexec of sql (through migc__pgsend), once more when a late cancel
** hit it (above). */
PGresult *
migc__pgexecagain(migc *m, const char *sql)
{
	PGresult *r = pgexec(m, sql);

	if (r && PQresultStatus(r) == PGRES_FATAL_ERROR && migc__cancelledlate(m, r)) {
		PQclear(r);
		r = pgexec(m, sql);
	}
	return r;
}

/* Run sql; on success *res holds its result (clear it) or is NULL. */
int
migc__pgrun(migc *m, const char *sql, PGresult **res)
{
	ExecStatusType st;
	PGresult *r;
	int rc;

	if (res)
		*res = NULL;
	r = migc__pgexecagain(m, sql);
	st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (res)
			*res = r;
		else
			PQclear(r);
		return MIGC_OK;
	}
	rc = r ? migc__pgerr(m, MIGC_ERROR, "PostgreSQL", PQresultErrorMessage(r)) : migc__pgconnerr(m, "PostgreSQL");
	PQclear(r);
	return rc;
}

/* Run sql with n text parameters; what names it in an error. */
int
migc__pgrunparams(migc *m, const char *sql, int n, const char *const *vals, const char *what)
{
	PGresult *res;
	int rc;

	res = PQexecParams(PG(m)->conn, sql, n, NULL, vals, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = MIGC_OK;
	else
		rc = res ? migc__pgerr(m, MIGC_ERROR, what, PQresultErrorMessage(res)) : migc__pgconnerr(m, what);
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
	pg->pooled = -1;
	pg->cancel = PQgetCancel(conn);
	if (!pg->cancel) {
		free(pg);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
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

/*
** Only what comes of connecting is masked: there libpq repeats parts of
** the connection string in its errors (a bad percent-encoding, a whole URI
** with a bad IPv6 host, a keyword it does not know) and the server names
** the database and user. After that the client sends no password again,
** and masking would cut a migration's error wherever a short password
** happens to occur in it.
*/
char *
migc__pgconnmsg(PGconn *c, const char *url)
{
	const char *extra[2];

	extra[0] = getenv("PGPASSWORD");
	extra[1] = PQpass(c);
	return migc__maskpw(PQerrorMessage(c), url, extra, 2);
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
		char *msg = migc__pgconnmsg(conn, target);

		rc = msg ? pgerrhint(m, MIGC_ERROR, "cannot connect to PostgreSQL", msg, connecthint(msg))
		         : migc__seterr(m, MIGC_NOMEM, "out of memory");
		free(msg);
		PQfinish(conn);
		return rc;
	}
	rc = attach(m, conn, 1);
	if (rc != MIGC_OK)
		PQfinish(conn);
	(void)flags;            /* MIGC_READONLY: m->readonly, migc__pgsend */
	return rc;
}

/*
** An application's connection migc may use now: connected, and outside
** any transaction of the application's, which migc's COMMIT would end
** (committing its uncommitted work) or which would hold migc's
** statements hostage to its fate.
*/
/* Whether libpq read c's connection string: once it has, it holds a port
** (the string's, PGPORT's or its default). */
static int
readconninfo(PGconn *c)
{
	PQconninfoOption *opts = PQconninfo(c), *o;
	int read = 0;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "port") == 0)
			read = o->val != NULL;
	PQconninfoFree(opts);
	return read;
}

/* The application's connection c is not connected: say so, with libpq's
** message, passwords masked. Its connection string is not migc's to
** know, so a message about reading it, which may repeat any part of it,
** is not repeated. */
static int
notconnected(migc *m, PGconn *c)
{
	char *msg;
	size_t n;
	int rc;

	if (!readconninfo(c))
		return migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is not connected (PQstatus %d): "
		                    "libpq could not read its connection string (PQerrorMessage says why; "
		                    "migc does not repeat it, as it may hold a password)", (int)PQstatus(c));
	msg = migc__pgconnmsg(c, NULL);
	if (!msg)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		n--;
	rc = migc__seterr(m, MIGC_INPUT, "the application's PostgreSQL connection is not connected (PQstatus %d)%s%.*s",
	                  (int)PQstatus(c), n ? ": " : "", (int)n, msg);
	free(msg);
	return rc;
}

static int
connidle(migc *m, PGconn *c)
{
	if (PQstatus(c) != CONNECTION_OK)
		return notconnected(m, c);
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

	PQfreeCancel(pg->cancel);
	if (pg->side)
		PQfinish(pg->side);
	if (pg->owned)
		PQfinish(pg->conn);
	migc__pgsessionfree(&pg->sess);
	m->session = NULL;
	free(pg->qtable);
	free(pg->regclass);
	free(pg);
	m->db = NULL;
}

static int
pgbegin(migc *m)
{
	int rc = migc__pgresolve(m);

	/* Under the session lock the transaction needs no lock of its own. */
	if (rc == MIGC_OK && PG(m)->nlocks > 0)
		return migc__pgrun(m, "BEGIN", NULL);
	if (rc == MIGC_OK)
		rc = migc__pglockpoll(m, 1);
	if (rc != MIGC_OK && PQtransactionStatus(PG(m)->conn) != PQTRANS_IDLE)
		PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
	return rc;
}

int
migc__pgcommit(migc *m)
{
	PGresult *res;
	int rc;

	if (PG(m)->timedlocal)
		PG(m)->timedfor = NULL;
	if (PQtransactionStatus(PG(m)->conn) == PQTRANS_IDLE)
		return MIGC_OK;
	rc = migc__pgrun(m, "COMMIT", &res);
	if (rc == MIGC_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = migc__seterr(m, MIGC_ERROR, "COMMIT rolled back: the transaction had failed");
	PQclear(res);
	return rc;
}

/*
** Roll back. A migration's statements may leave what a rollback keeps (a
** prepared statement), which the session reset that follows clears.
** Through a transaction pooler the reset has to reach the same server
** session, which the ROLLBACK gives back to the pool: there the reset
** goes in the ROLLBACK's message, and the reset that follows
** (pgsessionreset) finds it done.
*/
void
migc__pgrollback(migc *m)
{
	PGconn *c = PG(m)->conn;
	const char *reset = PG(m)->sess.reset;
	char *sql;
	PGresult *res;

	if (PG(m)->timedlocal)
		PG(m)->timedfor = NULL;
	if (PQtransactionStatus(c) == PQTRANS_IDLE)
		return;
	if (PG(m)->pooled != 1 || !reset || !(sql = malloc(strlen(reset) + 16))) {
		PQclear(PQexec(c, "ROLLBACK"));
		return;
	}
	sprintf(sql, "ROLLBACK; %s", reset);
	res = PQexec(c, sql);
	free(sql);
	PG(m)->resetdone = res && PQresultStatus(res) == PGRES_COMMAND_OK && PQtransactionStatus(c) == PQTRANS_IDLE;
	PQclear(res);
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
	PG(m)->timedfor = NULL;         /* the reset lifts the timeouts */
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

static int
pgsessionreset(migc *m, int final)
{
	const char *sql = final ? PG(m)->sess.restore : PG(m)->sess.reset;
	char enc[64];
	int rc;

	clientencoding(m, enc);
	PG(m)->timedfor = NULL;         /* the reset lifts the timeouts */
	if (!final && PG(m)->resetdone)
		sql = NULL;             /* with the rollback (migc__pgrollback) */
	PG(m)->resetdone = 0;
	rc = sql ? migc__pgrun(m, sql, NULL) : MIGC_OK;
	if (rc != MIGC_OK) {
		char *msg = migc__strdup(migc_errmsg(m));

		rc = migc__pgerr(m, msg ? MIGC_ERROR : MIGC_NOMEM, "cannot reset the session after the migration", msg ? msg : "out of memory");
		free(msg);
	}
	if (rc == MIGC_OK && !final)
		rc = migc__pgstillheld(m);
	if (final) {
		migc__pgsessionfree(&PG(m)->sess);
		m->session = NULL;
		encodingchanged(m, enc);
	}
	return rc;
}

/* PostgreSQL has no foreign key switch: xForeignKeys and
** xForeignKeyCheck stay NULL. */
/* libpq's version: 150010 is 15.10 (10 and later: major * 10000 + minor). */
static void
pgclientversion(char *buf, size_t n)
{
	int v = PQlibVersion();

	snprintf(buf, n, "libpq %d.%d", v / 10000, v % 10000);
}

const struct migc_driver migc_driver_postgres = {
	.name = "postgres",
	.xClientVersion = pgclientversion,
	.xOpen = pgopen,
	.xClose = pgclose,
	.xBegin = pgbegin,
	.xCommit = migc__pgcommit,
	.xRollback = migc__pgrollback,
	.xExec = migc__pgexec,
	.xReadTable = migc__pgreadtable,
	.xUpgradeTable = migc__pgupgradetable,
	.xWriteRow = migc__pgwriterow,
	.xDeleteRow = migc__pgdeleterow,
	.xApply = migc__pgapply,
	.xLockSession = migc__pglocksession,
	.xUnlockSession = migc__pgunlocksession,
	.xPooled = migc__pgpooled,
	.xSchema = migc__pgschema,
	.xQuery = migc__pgquery,
	.xGetRecorded = migc__pggetrecorded,
	.xSetRecorded = migc__pgsetrecorded,
	.xLockHolder = migc__pglockholder,
	.xSessionSave = pgsessionstart,
	.xSessionReset = pgsessionreset,
	.xUnchanged = migc__pgunchanged,
	.xIdle = pgidle,
};

static int
wrap(migc *m, PGconn *conn, const struct migc_set *set)
{
	int rc;

	if (strcmp(migc_dialect(set), "postgres") != 0)
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
const struct migc_driver migc_driver_postgres = { .name = "postgres", .xOpen = stubopen };

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
