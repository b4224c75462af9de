/*
** pg_copy_test.c: a COPY that wants the client's data stream (TO STDOUT,
** FROM STDIN), reaching the runtime in a set that migc gen did not check
** (written by hand, as here, or by an older gen), ends with an error that
** names file:line instead of looping on the result forever, and leaves
** the application's connection usable: no transaction open, no lock
** held. Usage: pg_copy_test URL CASE, one case per run (tests/postgres.sh
** runs each under timeout). Each case uses its own tables.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "migc.h"
#include "testlib.h"



const char testname[] = "pg copy";

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

/* A one-migration set, version 1, whose up script is the n statements
** in stmts, one per line, as migc gen would lay them out. */
static struct migc_stmt st[8];
static char sql[512];
static struct migc_migration mig;
static struct migc_set set;

static void
makeset(const char *file, unsigned flags, const char *const *stmts, unsigned long n)
{
	unsigned long i, off = 0;

	sql[0] = '\0';
	for (i = 0; i < n; i++) {
		st[i].offset = off;
		st[i].length = (unsigned long)strlen(stmts[i]);
		st[i].line = i + 1;
		strcat(sql, stmts[i]);
		strcat(sql, "\n");
		off += st[i].length + 1;
	}
	memset(&mig, 0, sizeof(mig));
	mig.version = 1;
	mig.name = file + 5;
	mig.checksum = "c1:0000000000000000000000000000000000000000000000000000000000000001";
	mig.raw_checksum = "r1:0000000000000000000000000000000000000000000000000000000000000001";
	mig.up.file = file;
	mig.up.sql = sql;
	mig.up.length = off;
	mig.up.stmts = st;
	mig.up.nstmts = n;
	mig.up.flags = flags;
	set.layout = MIGC_LAYOUT;
	set.dialect = "postgres";
	set.driver = &migc_driver_postgres;
	set.migrations = &mig;
	set.count = 1;
	set.hash = "c1:0000000000000000000000000000000000000000000000000000000000000002";
}

static const char *const copyout_tx[] = {
	"CREATE TABLE out_tx (x integer);",
	"INSERT INTO out_tx VALUES (1), (2);",
	"COPY out_tx TO STDOUT;",
};
static const char *const copyout_big[] = {
	"CREATE TABLE out_big (x integer);",
	"COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 300000) g) TO STDOUT;",
	"INSERT INTO out_big VALUES (1);",
};
static const char *const copyin_tx[] = {
	"CREATE TABLE in_tx (x integer);",
	"COPY in_tx FROM STDIN;",
	"INSERT INTO in_tx VALUES (1);",
};
static const char *const copyout_notx[] = {
	"CREATE TABLE out_notx (x integer);",
	"COPY (SELECT 1) TO STDOUT;",
	"INSERT INTO out_notx VALUES (1);",
};
static const char *const copyin_notx[] = {
	"CREATE TABLE in_notx (x integer);",
	"COPY in_notx FROM STDIN;",
	"INSERT INTO in_notx VALUES (1);",
};

int
main(int argc, char **argv)
{
	const char *name, *want, *table;
	char sql2[256], track[64];
	PGconn *c;
	migc *m;
	int rc, notx;

	if (argc != 3) {
		fprintf(stderr, "usage: pg_copy_test URL out-tx|out-big|in-tx|out-notx|in-notx\n");
		return 2;
	}
	name = argv[2];
	if (strcmp(name, "out-tx") == 0) {
		makeset("0001_out_tx.sql", 0, copyout_tx, 3);
		want = "0001_out_tx.sql:3:1: COPY ... TO STDOUT is not supported in a migration";
		table = "out_tx";
	} else if (strcmp(name, "out-big") == 0) {
		makeset("0001_out_big.sql", 0, copyout_big, 3);
		want = "0001_out_big.sql:2:1: COPY ... TO STDOUT is not supported in a migration";
		table = "out_big";
	} else if (strcmp(name, "in-tx") == 0) {
		makeset("0001_in_tx.sql", 0, copyin_tx, 3);
		want = "0001_in_tx.sql:2:1: ERROR: COPY from stdin failed: COPY ... FROM STDIN is not supported in a migration";
		table = "in_tx";
	} else if (strcmp(name, "out-notx") == 0) {
		makeset("0001_out_notx.sql", MIGC_NO_TRANSACTION, copyout_notx, 3);
		want = "0001_out_notx.sql:2:1: COPY ... TO STDOUT is not supported in a migration";
		table = "out_notx";
	} else if (strcmp(name, "in-notx") == 0) {
		makeset("0001_in_notx.sql", MIGC_NO_TRANSACTION, copyin_notx, 3);
		want = "0001_in_notx.sql:2:1: ERROR: COPY from stdin failed: COPY ... FROM STDIN is not supported in a migration";
		table = "in_notx";
	} else {
		fprintf(stderr, "pg_copy_test: unknown case %s\n", name);
		return 2;
	}
	notx = strstr(name, "notx") != NULL;
	c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		printf("[FAIL] pg copy: connect: %s", PQerrorMessage(c));
		return 1;
	}
	snprintf(track, sizeof(track), "migc_%s", table);
	rc = migc_wrap_pg(&m, c, &set);
	if (rc == MIGC_OK)
		rc = migc_set_table(m, track);
	if (rc != MIGC_OK) {
		printf("[FAIL] pg copy: %s: %s\n", name, migc_errmsg(m));
		return 1;
	}
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_ERROR && strstr(migc_errmsg(m), want) != NULL, name, migc_errmsg(m));
	check(PQtransactionStatus(c) == PQTRANS_IDLE, "no transaction is left open", "in a transaction or a COPY");
	check(queryint(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()") == 0,
	      "no advisory lock is left on the connection", "a lock is still held");
	if (notx) {
		/* Statement by statement: the first committed, the COPY failed,
		** the third never ran; the row says where it stopped. */
		snprintf(sql2, sizeof(sql2), "SELECT statements_done * 10 + (SELECT count(*) FROM %s) FROM %s", table, track);
		check(queryint(c, sql2) == 10, "the no-transaction migration stopped at the COPY and is recorded there",
		      "statements_done or the table's rows are not 1 and 0");
	} else if (name[0] == 'i') {
		/* The server waits for COPY data: failing it rolls back the whole message. */
		snprintf(sql2, sizeof(sql2), "SELECT count(*) FROM pg_tables WHERE tablename IN ('%s')", table);
		check(queryint(c, sql2) == 0, "the failed COPY FROM STDIN rolled the whole migration back", "the table exists");
	} else {
		/* The server does not wait for a client to read COPY TO STDOUT's
		** rows: it ran the rest of the message, COMMIT included, before
		** they arrived. The message says so, and the database agrees. */
		check(strstr(migc_errmsg(m), "the server had already committed the migration") != NULL,
		      "the message says the migration committed all the same", migc_errmsg(m));
		snprintf(sql2, sizeof(sql2), "SELECT count(*) FROM %s WHERE statements_done = statements_total", track);
		check(queryint(c, sql2) == 1, "... and it did, with its tracking row", "no tracking row");
	}
	check(queryint(c, "SELECT 41 + 1") == 42, "the connection still runs queries", PQerrorMessage(c));
	migc_close(m);
	PQfinish(c);
	return nfail ? 1 : 0;
}
