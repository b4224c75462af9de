/*
** pg_api_test.c: the embedding API on a PostgreSQL connection the
** application holds (migc_wrap_pg): a failed no-transaction migration
** must leave no advisory lock and no open transaction on that connection,
** and the application's notice receiver stays its own. Linked with the set
** generated from tests/api-pg/ as pg_migrations; argv[1] is a database URL.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "migc.h"

extern const struct migc_set pg_migrations;

static int nfail;
static int nnotices;

static void
check(int ok, const char *name, const char *detail)
{
	if (ok) {
		printf("[PASS] pg api: %s\n", name);
	} else {
		printf("[FAIL] pg api: %s: %s\n", name, detail);
		nfail++;
	}
}

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

int
main(int argc, char **argv)
{
	PGconn *c;
	migc *m;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pg_api_test URL\n");
		return 2;
	}
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
	PQfinish(c);
	return nfail ? 1 : 0;
}
