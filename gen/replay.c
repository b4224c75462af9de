/*
** replay.c: run the migrations at build time on a scratch database, one
** version at a time, through the same runtime that applies them in
** production, and keep the schema fingerprint each version leaves. A
** migration that fails here is a build error that names its file:line.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#ifdef MIGC_POSTGRES
#include <libpq-fe.h>
#endif

#include "migc.h"
#include "util.h"
#include "replay.h"

/* Print a runtime failure, whose message starts with file:line:col, as a
** path under dir. */
static void
replayerror(const char *dir, const char *what, const char *msg)
{
	size_t n = strlen(dir);

	fprintf(stderr, "%s%s%s\nmigc: error: the migrations fail when replayed on %s (--no-replay skips this)\n",
	        dir, n && dir[n - 1] != '/' ? "/" : "", msg, what);
}

/* The fingerprint that migc recorded on version's row. */
static char *
recorded(sqlite3 *db, int64_t version)
{
	sqlite3_stmt *st;
	char *fp = NULL;

	if (sqlite3_prepare_v2(db, "SELECT schema_fingerprint FROM migc_migrations WHERE version = ?1", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, version);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		fp = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return fp;
}

static int
replaysqlite(struct migc_set *set, const char *dir)
{
	struct migc_migration *mig = (struct migc_migration *)set->migrations;
	sqlite3 *db;
	unsigned long i;
	migc *m;
	int rc;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		fatal("sqlite3_open: out of memory");
	/* As a connection migc_open makes. */
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	rc = migc_wrap_sqlite(&m, db, set);
	for (i = 0; rc == MIGC_OK && i < set->count; i++) {
		rc = migc_up(m, mig[i].version);
		if (rc == MIGC_OK)
			mig[i].schema = recorded(db, mig[i].version);
	}
	if (rc != MIGC_OK)
		replayerror(dir, "an in-memory SQLite database", migc_errmsg(m));
	migc_close(m);
	sqlite3_close(db);
	return rc == MIGC_OK ? 0 : -1;
}

#ifdef MIGC_POSTGRES
/* Run sql on c; 0, or -1 after printing the server's message. */
static int
pgrun(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "migc: error: --replay-database: %s: %s", what, PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Replay on a scratch database made through url, dropped afterwards. */
static int
replaypg(struct migc_set *set, const char *dir, const char *url)
{
	struct migc_migration *mig = (struct migc_migration *)set->migrations;
	const char *keys[] = { "dbname", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { url, NULL, "migc gen", NULL };
	char scratch[64], sql[160];
	PGconn *admin, *c = NULL;
	unsigned long i;
	migc *m = NULL;
	int rc = MIGC_OK;

	admin = PQconnectdb(url);
	if (PQstatus(admin) != CONNECTION_OK) {
		fprintf(stderr, "migc: error: --replay-database: cannot connect: %s", PQerrorMessage(admin));
		PQfinish(admin);
		return -1;
	}
	/* The admin connection's backend pid makes the name unique while it lasts. */
	snprintf(scratch, sizeof(scratch), "migc_replay_%ld", (long)PQbackendPID(admin));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", scratch);
	if (pgrun(admin, sql, "cannot create a scratch database") != 0) {
		PQfinish(admin);
		return -1;
	}
	vals[1] = scratch;
	c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "migc: error: --replay-database: cannot connect to %s: %s", scratch, PQerrorMessage(c));
		rc = MIGC_ERROR;
	} else {
		rc = migc_wrap_pg(&m, c, set);
	}
	for (i = 0; rc == MIGC_OK && i < set->count; i++) {
		rc = migc_up(m, mig[i].version);
		if (rc == MIGC_OK) {
			PGresult *r;

			snprintf(sql, sizeof(sql), "SELECT schema_fingerprint FROM migc_migrations WHERE version = %lld",
			         (long long)mig[i].version);
			r = PQexec(c, sql);
			if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
				mig[i].schema = xstrdup(PQgetvalue(r, 0, 0));
			PQclear(r);
		}
	}
	if (m && rc != MIGC_OK)
		replayerror(dir, "a scratch PostgreSQL database", migc_errmsg(m));
	migc_close(m);
	PQfinish(c);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", scratch);
	if (pgrun(admin, sql, "cannot drop the scratch database") != 0)
		rc = MIGC_ERROR;
	PQfinish(admin);
	return rc == MIGC_OK ? 0 : -1;
}
#endif

int
replay(struct migc_set *set, const char *dir, const char *url)
{
	if (strcmp(set->dialect, "sqlite") == 0)
		return replaysqlite(set, dir);
	if (!url)
		return 0;
#ifdef MIGC_POSTGRES
	return replaypg(set, dir, url);
#else
	(void)dir;
	fprintf(stderr, "migc: error: --replay-database: this migc was built without PostgreSQL support\n");
	return -1;
#endif
}
