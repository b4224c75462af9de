/*
** pglock.c: the migration lock on PostgreSQL. Migrators serialise on one
** advisory lock, polled (never a blocking pg_advisory_lock): a
** session-level lock held for a whole up run (and around a no-transaction
** migration), released on every exit path, or a transaction-level one
** for a single change.
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

/* FNV-1a over "schema.table": the advisory lock key of one tracking table. */
long long
migc__pglockkey(const char *schema, const char *table)
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
	if (migc__pgrun(m, sql, &res) == MIGC_OK) {
		pid = PQntuples(res) == 1 ? atol(PQgetvalue(res, 0, 0)) : 0;
		PQclear(res);
	}
	return pid;
}

/*
** The pid of another session holding the advisory lock, or 0 (also when
** the lookup failed). Leaves the handle's message as it was: verify asks
** between the problems it has written there.
*/
long
migc__pglockholder(migc *m)
{
	char *kept = migc__setaside(m);
	long pid;

	pid = migc__pgresolve(m) == MIGC_OK ? holder(m, 0) : 0;
	migc__putback(m, kept);
	return pid > 0 ? pid : 0;
}

/* The server takes no writes: let the lock go (if got) and say why. */
static int
refusewrites(migc *m, int xact, int got, int standby)
{
	if (xact)
		PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
	else if (got) {
		PG(m)->nlocks++;        /* this hold, counted so that its unlock leaves the others' count */
		(void)migc__pgunlocksession(m);
	}
	if (standby)
		return migc__seterr(m, MIGC_ERROR, "the database is a standby (in recovery), which takes no writes: migrating "
		                    "needs the primary (with several hosts in the URL, add target_session_attrs=read-write)");
	return migc__seterr(m, MIGC_ERROR, "the database takes no writes in this session (transaction_read_only is on, "
	                    "as default_transaction_read_only sets it): migrating needs a session that may write");
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
int
migc__pglockpoll(migc *m, int xact)
{
	long long start = migc__monotonicms();
	char sql[256];
	int waited = 0;

	/* With the lock, whether the server takes writes: every change takes
	** the lock first, so a standby is refused before anything runs. */
	snprintf(sql, sizeof(sql), "%sSELECT pg_try_advisory%s_lock(%lld), pg_is_in_recovery(), "
	         "current_setting('transaction_read_only')", xact ? "BEGIN; " : "", xact ? "_xact" : "", PG(m)->key);
	for (;;) {
		struct timespec pause = { 0, 100 * 1000000L };
		PGresult *res;
		int got, standby, readonly, rc;

		rc = migc__pgrun(m, sql, &res);
		if (rc != MIGC_OK)
			return rc;
		got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		standby = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
		readonly = strcmp(PQgetvalue(res, 0, 2), "on") == 0;
		PQclear(res);
		if (!m->readonly && (standby || readonly))
			return refusewrites(m, xact, got, standby);
		if (got)
			return MIGC_OK;
		if (xact)
			PQclear(PQexec(PG(m)->conn, "ROLLBACK"));
		if (m->interrupted)
			return migc__seterr(m, MIGC_INTERRUPTED, "interrupted while waiting for the migration lock");
		if (migc__monotonicms() - start >= (long long)m->lock_timeout * 1000) {
			long pid = migc__pglockholder(m);

			return migc__seterr(m, MIGC_BUSY, "timed out after %d s waiting for the migration lock held by pid %ld "
			              "(migc_set_lock_timeout)", m->lock_timeout, pid);
		}
		if (!waited) {
			char text[128];

			snprintf(text, sizeof(text), "waiting for the migration lock held by pid %ld", migc__pglockholder(m));
			migc__emit(m, MIGC_EV_NOTICE, NULL, 0, text, strlen(text));
			waited = 1;
		}
		nanosleep(&pause, NULL);
	}
}

/*
** Does the connection go through a transaction pooler? The pid libpq was
** given when it connected (BackendKeyData) is the server's own
** pg_backend_pid() on a direct connection; a pooler (PgBouncer, and the
** others that multiplex) gives its clients keys of its own, and a client
** of its transaction mode may get another server session with each
** transaction. Asked once per connection.
*/
int
migc__pgpooled(migc *m, int *pooled)
{
	PGresult *res;
	int rc = MIGC_OK;

	if (PG(m)->pooled < 0) {
		rc = migc__pgrun(m, "SELECT pg_catalog.pg_backend_pid()", &res);
		if (rc != MIGC_OK)
			return rc;
		PG(m)->serverpid = atol(PQgetvalue(res, 0, 0));
		PG(m)->pooled = PG(m)->serverpid != (long)PQbackendPID(PG(m)->conn);
		PQclear(res);
	}
	*pooled = PG(m)->pooled;
	return rc;
}

/* Session-level holds stack: each pglocksession needs its unlock. */
int
migc__pglocksession(migc *m)
{
	int rc = migc__pgresolve(m), pooled = 0;

	if (rc == MIGC_OK)
		rc = migc__pgpooled(m, &pooled);
	if (rc == MIGC_OK && pooled)
		return migc__seterr(m, MIGC_ERROR, "the connection goes through a pooler (PgBouncer or another: the server "
		                    "session is pid %ld, the connection was given pid %d), where a session-level lock does not "
		                    "last from one transaction to the next", PG(m)->serverpid, PQbackendPID(PG(m)->conn));
	if (rc == MIGC_OK)
		rc = migc__pglockpoll(m, 0);
	if (rc == MIGC_OK)
		PG(m)->nlocks++;
	return rc;
}

/* Let one hold go: an error when the server says the lock was not held
** (pg_advisory_unlock false, with a WARNING). */
int
migc__pgunlocksession(migc *m)
{
	char sql[64];
	PGresult *res;
	int rc = MIGC_OK;

	migc__pgrollback(m);
	snprintf(sql, sizeof(sql), "SELECT pg_advisory_unlock(%lld)", PG(m)->key);
	res = migc__pgexecagain(m, sql);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = res ? migc__pgerr(m, MIGC_ERROR, "cannot release the migration lock", PQresultErrorMessage(res))
		         : migc__pgconnerr(m, "cannot release the migration lock");
	else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		rc = migc__seterr(m, MIGC_ERROR, "the migration lock was no longer held when this run released it "
		                  "(something on the connection released it, or the server session changed), so another "
		                  "migrator could have run meanwhile: check with verify");
	PQclear(res);
	if (PG(m)->nlocks > 0 && --PG(m)->nlocks == 0)
		PG(m)->readlocked = 0;
	return rc;
}

/* Under the session lock no other migrator can have written the table. */
int
migc__pgunchanged(migc *m)
{
	return PG(m)->readlocked;
}

/*
** After a no-transaction migration (the one kind that can run DISCARD
** ALL), under the session lock: is it still held? A migration that
** released it (migc gen refuses DISCARD ALL and pg_advisory_unlock_all,
** but a function can hide one) would let another migrator in.
*/
int
migc__pgstillheld(migc *m)
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

#endif
