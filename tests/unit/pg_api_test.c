/*
** pg_api_test.c: the embedding API on a PostgreSQL connection the
** application holds (migc_wrap_pg): a failed no-transaction migration
** must leave no advisory lock and no open transaction on that connection,
** and the application's notice receiver stays its own. Linked with the set
** generated from tests/unit/api-pg/ as pg_migrations; argv[1] and argv[2] are
** the URLs of two fresh databases. A handle that failed to open or wrap
** answers every call with its error (never a crash: those calls run in a
** child process), and the application's connection inside a transaction
** is refused, its uncommitted work left to it.
*/
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "migc.h"
#include "testlib.h"

extern const struct migc_set pg_migrations;

const char testname[] = "pg api";

static int nnotices;


static long
queryint(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

static void
appreceiver(void *arg, const PGresult *res)
{
	(void)arg;
	if (strstr(PQresultErrorMessage(res), "hello from 0001"))
		nnotices++;
}

/* A failed handle: rc is want, the message holds what, every later call
** gives want with that message (in a child process unless the handle
** may hold the application's connection, which a child must not use).
** Closes m. */
static void
checkfailed(const char *name, migc *m, int rc, int want, const char *what, int forked)
{
	struct failcase c;
	char label[256];

	snprintf(label, sizeof(label), "%s is %d with its message", name, want);
	check(rc == want && strstr(migc_errmsg(m), what), label, migc_errmsg(m));
	snprintf(label, sizeof(label), "... and every later call on that handle is %d with the same message, no crash", want);
	c.m = m;
	c.want = want;
	c.msg = migc_errmsg(m);
	check((forked ? inchild(everycallf, &c) : everycall(m, want, c.msg)) == 0, label, "see above");
	migc_close(m);
}

/* What is left of the application's transaction, and of the migrations,
** on the connection c to a database no migration ran on. */
static void
checkapptx(PGconn *c, migc *m, const char *what)
{
	char label[256];

	snprintf(label, sizeof(label), "%s: the application's transaction is still open, its row uncommitted", what);
	check(PQtransactionStatus(c) == PQTRANS_INTRANS && queryint(c, "SELECT count(*) FROM app") == 1, label, migc_errmsg(m));
	PQclear(PQexec(c, "ROLLBACK"));
	snprintf(label, sizeof(label), "%s: the application's ROLLBACK removes its row; nothing of the migrations is there", what);
	check(queryint(c, "SELECT count(*) FROM app") == 0 &&
	      queryint(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'app'") == 0,
	      label, "rows or tables left");
}

/* The tracking table where the search_path no longer leads: the message
** says which migc_set_schema call finds it (issue 13: not --schema). */
/* migc_status on c (with table as the tracking table's name, unless
** NULL) is want, its message holding what. */
static void
statusmsg(PGconn *c, const char *table, int want, const char *what, const char *label)
{
	struct migc_state *states = NULL;
	size_t n = 0;
	migc *m;

	migc_wrap_pg(&m, c, &pg_migrations);
	if (table)
		migc_set_table(m, table);
	checkapimsg(m, migc_status(m, &states, &n), want, what, label);
	migc_free(states);
	migc_close(m);
}

static void
movedschema(PGconn *c)
{
	migc *m;

	PQclear(PQexec(c, "CREATE SCHEMA moved"));
	PQclear(PQexec(c, "SET search_path = moved"));
	statusmsg(c, NULL, MIGC_ERROR, "the tracking table is public.migc_migrations, not in schema moved "
	          "(current_schema()), where a handle without migc_set_schema looks (the search_path changed since it "
	          "was made, or it was made with migc_set_schema): call migc_set_schema(m, \"public\") to use it",
	          "a tracking table in another schema than current_schema()");
	PQclear(PQexec(c, "CREATE SCHEMA \"we\"\"ird\""));
	migc_wrap_pg(&m, c, &pg_migrations);
	migc_set_schema(m, "we\"ird");
	check(migc_baseline(m, 2) == MIGC_OK, "a second tracking table, in schema we\"ird", migc_errmsg(m));
	migc_close(m);
	statusmsg(c, NULL, MIGC_ERROR, "tracking tables are in other schemas (public.migc_migrations, "
	          "\"we\"\"ird\".migc_migrations), none in schema moved (current_schema()), where a handle without "
	          "migc_set_schema looks (the search_path changed since they were made, or they were made with "
	          "migc_set_schema): call migc_set_schema with the one this database uses",
	          "tracking tables in two other schemas");
	PQclear(PQexec(c, "SET search_path = nosuch"));
	statusmsg(c, "other_table", MIGC_INPUT, "no schema on the search_path exists: set one with migc_set_schema",
	          "no schema on the search_path");
	PQclear(PQexec(c, "RESET search_path"));
}

/* The advisory lock key of public.migc_migrations (pglock.c's FNV-1a). */
static long long
lockkey(void)
{
	unsigned long long h = 14695981039346656037ULL;
	const char *p;

	for (p = "migc:public.migc_migrations"; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (long long)h;
}

static void
run(PGconn *c, const char *fmt, long long arg)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, arg);
	PQclear(PQexec(c, sql));
}

/* What the other process does while verify reads: finish the down it
** was running (delete the row, or not when it was interrupted) and let
** the lock go. Done at the first notice, which verify sends for version
** 1 after reading the table and before it looks at version 2. */
struct other {
	PGconn *c;
	int finish, done;
};

static void
othermoves(void *arg, const struct migc_event *ev)
{
	struct other *o = arg;

	if (ev->kind != MIGC_EV_NOTICE || o->done)
		return;
	o->done = 1;
	if (o->finish == 1)
		PQclear(PQexec(o->c, "DELETE FROM migc_migrations WHERE version = 2"));
	else if (o->finish == 2)
		PQclear(PQexec(o->c, "UPDATE migc_migrations SET error = '0002_fill.down.sql:3:1: ERROR: boom' WHERE version = 2"));
	run(o->c, "SELECT pg_advisory_unlock(%lld)", lockkey());
}

/*
** Version 2 reads as a down in progress, and another session holds the
** migration lock. verify reads the row, then asks who holds the lock: if
** the other process finished the down and let the lock go in between, the
** row is not an interrupted one. (The concurrency test hit this gap.)
*/
static void
rowmovedaway(const char *url, int finish)
{
	struct other o = { NULL, finish, 0 };
	migc *m;
	int rc;

	o.c = PQconnectdb(url);
	PQclear(PQexec(o.c, "UPDATE migc_migrations SET raw_checksum = 'c1:0', error = NULL"));
	run(o.c, "SELECT pg_advisory_lock(%lld)", lockkey());
	PQclear(PQexec(o.c, "UPDATE migc_migrations SET error = 'down did not finish: 1 of 3 statements of "
	               "0002_fill.down.sql had run' WHERE version = 2"));
	migc_open(&m, url, &pg_migrations, 0);
	migc_set_event(m, othermoves, &o);
	rc = migc_verify(m);
	if (finish == 1)
		check(rc == MIGC_OK && o.done, "verify: a down that finishes between reading its row and looking up the "
		      "lock is not reported as interrupted", o.done ? migc_errmsg(m) : "the other process did not move");
	else if (finish == 2)
		check(rc == MIGC_VERIFY && o.done, "verify: a down that fails between reading its row and looking up the "
		      "lock is reported as failed (MIGC_VERIFY)", migc_errmsg(m));
	else
		check(rc == MIGC_VERIFY && o.done && strstr(migc_errmsg(m), "0002_fill.sql") != NULL,
		      "verify: a down whose row stays as it was once the lock is free is interrupted (MIGC_VERIFY)",
		      migc_errmsg(m));
	migc_close(m);
	PQfinish(o.c);
}

/* Another thread's migc_interrupt, 300 ms after it starts. */
static void *
interrupter(void *arg)
{
	struct timespec pause = { 0, 300 * 1000000L };

	nanosleep(&pause, NULL);
	migc_interrupt(arg);
	return NULL;
}

/* migc_up on url stopped by another thread while blocked by the
** application's session app: the result, and what waits on the server
** once it has returned. */
static void
upstopped(const char *url, PGconn *app, const char *what, const char *want)
{
	struct migc_state *states = NULL;
	size_t n = 0;
	pthread_t th;
	char label[256];
	migc *m;
	int rc;

	migc_open(&m, url, &pg_migrations, 0);
	pthread_create(&th, NULL, interrupter, m);
	rc = migc_up(m, MIGC_LATEST);
	pthread_join(th, NULL);
	snprintf(label, sizeof(label), "migc_interrupt from another thread stops migc_up %s: MIGC_INTERRUPTED", what);
	check(rc == MIGC_INTERRUPTED && strstr(migc_errmsg(m), want), label, migc_errmsg(m));
	snprintf(label, sizeof(label), "... nothing of migc's waits on the server after it (%s)", what);
	check(queryint(app, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migc' AND wait_event_type = 'Lock'") == 0 &&
	      queryint(app, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()") == 0,
	      label, "a session still waits or holds the lock");
	snprintf(label, sizeof(label), "... and every later call on the handle is MIGC_INTERRUPTED (%s)", what);
	check(migc_status(m, &states, &n) == MIGC_INTERRUPTED && migc_up(m, MIGC_LATEST) == MIGC_INTERRUPTED, label,
	      migc_errmsg(m));
	migc_free(states);
	migc_close(m);
}

/* migc_interrupt on a handle that wraps the application's connection,
** while the application (no migc call) runs its own query: nothing of
** the application's is cancelled. */
static void
appquery(PGconn *app)
{
	pthread_t th;
	PGresult *res;
	migc *m;

	migc_wrap_pg(&m, app, &pg_migrations);
	pthread_create(&th, NULL, interrupter, m);
	res = PQexec(app, "SELECT pg_sleep(0.8)");
	pthread_join(th, NULL);
	check(PQresultStatus(res) == PGRES_TUPLES_OK, "migc_interrupt while no migc call runs cancels none of the "
	      "application's queries on its own connection", PQresultErrorMessage(res));
	PQclear(res);
	migc_close(m);
}

/* The PostgreSQL setters refuse values out of range, saying which. */
static void
setterranges(const char *url)
{
	migc *m;

	migc_open(&m, url, &pg_migrations, 0);
	checkapimsg(m, migc_set_ddl_lock_timeout(m, -1), MIGC_INPUT, "DDL lock timeout -1 ms: it must be 0 to",
	            "migc_set_ddl_lock_timeout(m, -1)");
	checkapimsg(m, migc_set_statement_timeout(m, -5), MIGC_INPUT, "statement timeout -5 ms: it must be 0 to",
	            "migc_set_statement_timeout(m, -5)");
	checkapimsg(m, migc_set_ddl_retries(m, 1001), MIGC_INPUT, "DDL retries 1001: it must be 0 to 1000",
	            "migc_set_ddl_retries(m, 1001)");
	check(migc_set_ddl_lock_timeout(m, 500) == MIGC_OK && migc_set_ddl_retries(m, 0) == MIGC_OK &&
	      migc_set_create_schema(m, 1) == MIGC_OK, "the PostgreSQL setters take values in range", migc_errmsg(m));
	migc_close(m);
}

/* The event callback of unlockchecked: once a migration is applied, the
** application releases every advisory lock on its connection (breaking
** the rule that it leaves the connection alone during a call, to stand
** for whatever could release migc's lock behind its back). */
static void
unlockall(void *ctx, const struct migc_event *ev)
{
	if (ev->kind == MIGC_EV_APPLIED)
		PQclear(PQexec(ctx, "SELECT pg_advisory_unlock_all()"));
}

/* An up whose session lock is gone by the time the run releases it is
** an error, not a warning and MIGC_OK: another migrator could have run. */
static void
unlockchecked(const char *url)
{
	PGconn *app = PQconnectdb(url);
	migc *m;

	migc_wrap_pg(&m, app, &pg_migrations);
	migc_set_event(m, unlockall, app);
	checkapimsg(m, migc_up(m, 1), MIGC_ERROR, "the migration lock was no longer held when this run released it",
	            "an up whose migration lock was released behind its back is MIGC_ERROR");
	migc_close(m);
	PQclear(PQexec(app, "DROP TABLE t, migc_migrations"));
	PQfinish(app);
}

static void
interrupts(const char *url)
{
	PGconn *app = PQconnectdb(url);

	/* Waiting for the migration lock, which the application holds. */
	run(app, "SELECT pg_advisory_lock(%lld)", lockkey());
	upstopped(url, app, "waiting for the migration lock", "interrupted while waiting for the migration lock");
	run(app, "SELECT pg_advisory_unlock(%lld)", lockkey());
	/* A statement waiting for the application's uncommitted table t. */
	PQclear(PQexec(app, "BEGIN; CREATE TABLE t (x integer)"));
	upstopped(url, app, "in a statement", "interrupted: 0001_t.sql was rolled back (0 applied before it in this run)");
	PQclear(PQexec(app, "ROLLBACK"));
	appquery(app);
	/* The tracking table was made in the migration's transaction. */
	check(queryint(app, "SELECT count(*) FROM pg_class WHERE relname IN ('t', 'migc_migrations')") == 0,
	      "the interrupted migration left neither its table nor its row", "something was left");
	PQfinish(app);
}

static void
checkwrapfailures(const char *url)
{
	PGconn *c, *bad;
	migc *m;
	int rc;

	rc = migc_open(&m, "postgres://migc@127.0.0.1:1/x?connect_timeout=3", &pg_migrations, 0);
	checkfailed("migc_open of an unreachable server", m, rc, MIGC_ERROR, "cannot connect to PostgreSQL", 1);
	rc = migc_open(&m, "sqlite::memory:", &pg_migrations, 0);
	checkfailed("migc_open of a sqlite URL for a postgres set", m, rc, MIGC_INPUT, "generated for postgres, not for a sqlite database", 1);
	rc = migc_wrap_pg(&m, NULL, &pg_migrations);
	checkfailed("migc_wrap_pg of a NULL connection", m, rc, MIGC_INPUT, "NULL", 1);
	bad = PQconnectdb("postgres://migc@127.0.0.1:1/x?connect_timeout=3");
	rc = migc_wrap_pg(&m, bad, &pg_migrations);
	checkfailed("migc_wrap_pg of a connection that is not CONNECTION_OK", m, rc, MIGC_INPUT, "not connected", 1);
	PQfinish(bad);
	/* libpq's message repeats the token it could not decode: a password
	** (migc does not know the connection string to mask it by). */
	bad = PQconnectdb("postgres://migc:S3c%ZZretPW@127.0.0.1:1/x");
	rc = migc_wrap_pg(&m, bad, &pg_migrations);
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "not connected") && !strstr(migc_errmsg(m), "S3c") &&
	      !strstr(migc_errmsg(m), "retPW"),
	      "migc_wrap_pg of a connection whose string libpq could not read repeats no password of it", migc_errmsg(m));
	migc_close(m);
	PQfinish(bad);

	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		printf("[FAIL] pg api: connect: %s", PQerrorMessage(c));
		nfail++;
		PQfinish(c);
		return;
	}
	rc = migc_wrap_pg(&m, c, NULL);
	checkfailed("migc_wrap_pg with a NULL set", m, rc, MIGC_INPUT, "record layout", 1);

	/* Inside the application's transaction: at wrap time, then after. */
	PQclear(PQexec(c, "CREATE TABLE app (x integer)"));
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, "INSERT INTO app VALUES (1)"));
	rc = migc_wrap_pg(&m, c, &pg_migrations);
	checkfailed("migc_wrap_pg of a connection inside a transaction", m, rc, MIGC_INPUT, "inside a transaction", 0);
	checkapptx(c, NULL, "wrap in a transaction");
	rc = migc_wrap_pg(&m, c, &pg_migrations);
	check(rc == MIGC_OK, "migc_wrap_pg of the same connection once idle", migc_errmsg(m));
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, "INSERT INTO app VALUES (2)"));
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "inside a transaction"),
	      "migc_up while the application has a transaction open is MIGC_INPUT", migc_errmsg(m));
	checkapptx(c, m, "up in a transaction");
	PQclear(PQexec(c, "BEGIN"));
	PQclear(PQexec(c, "SELECT 1 / 0"));
	rc = migc_status(m, &(struct migc_state *){NULL}, &(size_t){0});
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "inside a failed transaction"),
	      "migc_status in the application's failed transaction is MIGC_INPUT", migc_errmsg(m));
	check(PQtransactionStatus(c) == PQTRANS_INERROR, "... and leaves that transaction to the application", "it was ended");
	PQclear(PQexec(c, "ROLLBACK"));
	migc_close(m);
	PQfinish(c);
}

int
main(int argc, char **argv)
{
	PGconn *c;
	migc *m;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: pg_api_test URL URL2\n");
		return 2;
	}
	checkwrapfailures(argv[2]);
	interrupts(argv[2]);
	setterranges(argv[2]);
	unlockchecked(argv[2]);
	c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		printf("[FAIL] pg api: connect: %s", PQerrorMessage(c));
		return 1;
	}
	PQsetNoticeReceiver(c, appreceiver, NULL);
	rc = migc_wrap_pg(&m, c, &pg_migrations);
	check(rc == MIGC_OK, "migc_wrap_pg", migc_errmsg(m));

	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_ERROR && strstr(migc_errmsg(m), "0002_fill.sql:3:1: ERROR: new row for relation \"t\" violates check constraint"),
	      "a failing no-transaction migration is MIGC_ERROR naming file:line:col", migc_errmsg(m));
	check(strstr(migc_errmsg(m), "DETAIL: Failing row contains (-2).") != NULL,
	      "the server's DETAIL is in the message", migc_errmsg(m));
	check(queryint(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()") == 0,
	      "no advisory lock is left on the application's connection", "a lock is still held");
	check(PQtransactionStatus(c) == PQTRANS_IDLE, "no transaction is left open", "in a transaction");
	check(nnotices == 1, "server notices reach the application's own notice receiver", "receiver replaced");
	check(queryint(c, "SELECT statements_done FROM migc_migrations WHERE version = 2") == 1,
	      "the failed migration is recorded at its statement", "wrong statements_done");
	checkapimsg(m, migc_verify(m), MIGC_VERIFY, "once the cause is fixed, run migc_up with migc_set_resume to go on "
	            "at statement 2; or undo its changes by hand and run migc_repair with MIGC_REPAIR_CLEAR_FAILED for version 2",
	            "migc_verify after it says how to go on");

	PQclear(PQexec(c, "ALTER TABLE t DROP CONSTRAINT t_x_check"));
	migc_set_resume(m, 1);
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK && queryint(c, "SELECT sum(x) FROM t") == 2,
	      "migc_set_resume goes on at the failed statement", migc_errmsg(m));
	check(queryint(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()") == 0,
	      "and releases the session lock after success too", "a lock is still held");
	migc_close(m);
	check(PQstatus(c) == CONNECTION_OK, "migc_close leaves the application's connection open", "closed");

	/* A temporary table of the same name comes first on the search_path:
	** migc reads the table in the current schema all the same. */
	PQclear(PQexec(c, "CREATE TEMP TABLE migc_migrations (version bigint)"));
	rc = migc_wrap_pg(&m, c, &pg_migrations);
	if (rc == MIGC_OK) {
		struct migc_state *states = NULL;
		size_t n = 0, i, applied = 0;

		rc = migc_status(m, &states, &n);
		for (i = 0; rc == MIGC_OK && i < n; i++)
			applied += states[i].kind == MIGC_APPLIED;
		check(rc == MIGC_OK && n == 2 && applied == 2,
		      "a temporary table of the tracking table's name is not read", rc ? migc_errmsg(m) : "wrong rows");
		migc_free(states);
		rc = migc_up(m, MIGC_LATEST);
		check(rc == MIGC_OK && queryint(c, "SELECT count(*) FROM pg_temp.migc_migrations") == 0,
		      "... nor written by up", migc_errmsg(m));
	}
	migc_close(m);
	movedschema(c);
	PQfinish(c);
	rowmovedaway(argv[1], 0);
	rowmovedaway(argv[1], 2);
	rowmovedaway(argv[1], 1);
	return nfail ? 1 : 0;
}
