/*
** replay.c: run the migrations at build time on a scratch database,
** through the same runtime that applies them in production, and keep the
** schema fingerprint each version leaves. A migration that fails here is
** a build error that names its file:line.
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
#include "internal.h"
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

/*
** One up run applies every migration; after each one commits, the event
** callback fingerprints the schema it left. On SQLite a migration that
** changed no schema (PRAGMA schema_version is as it was) leaves the
** fingerprint of the one before it.
*/
struct fingerprints {
	migc *m;
	struct migc_set *set;
	sqlite3 *db;                    /* SQLite: for schema_version; NULL otherwise */
	long long version;              /* schema_version at the last fingerprint, -1 none */
	char last[68];
	int rc;
};

static void
onapplied(void *ctx, const struct migc_event *ev)
{
	struct fingerprints *f = ctx;
	struct migc_migration *mig;
	long long v;

	if (ev->kind != MIGC_EV_APPLIED || f->rc != MIGC_OK)
		return;
	mig = (struct migc_migration *)f->set->migrations + (ev->migration - f->set->migrations);
	v = f->db ? sqlitepragma(f->db, "PRAGMA schema_version") : -1;
	if (v < 0 || v != f->version) {
		f->rc = schemaprint(f->m, f->last);
		f->version = v;
	}
	if (f->rc == MIGC_OK)
		mig->schema = xstrdup(f->last);
}

/* Apply the set on m, fingerprinting each version; db: SQLite's, or NULL. */
static int
fingerprintall(migc *m, struct migc_set *set, sqlite3 *db)
{
	struct fingerprints f;
	int rc;

	memset(&f, 0, sizeof(f));
	f.m = m;
	f.set = set;
	f.db = db;
	f.version = -1;
	migc_set_event(m, onapplied, &f);
	rc = migc_up(m, MIGC_LATEST);
	return rc != MIGC_OK ? rc : f.rc;
}

static int
replaysqlite(struct migc_set *set, const char *dir)
{
	sqlite3 *db;
	migc *m;
	int rc;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		fatal("sqlite3_open: out of memory");
	/* As a connection migc_open makes. */
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	rc = migc_wrap_sqlite(&m, db, set);
	if (rc == MIGC_OK)
		rc = fingerprintall(m, set, db);
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
	const char *keys[] = { "dbname", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { url, NULL, "migc gen", NULL };
	char scratch[64], sql[160];
	PGconn *admin, *c = NULL;
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
	if (rc == MIGC_OK)
		rc = fingerprintall(m, set, NULL);
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
