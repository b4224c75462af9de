/*
** replay.c: run the migrations at build time on a scratch database,
** through the same runtime that applies them in production, and keep the
** schema fingerprint each version leaves (then the repeatable migrations,
** which leave no fingerprint). A migration that fails here is a build
** error that names its file:line. The PostgreSQL scratch database
** is dropped on every way out, an interrupt (SIGINT, SIGTERM, SIGHUP)
** included.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#ifdef MIGC_POSTGRES
#include <sys/socket.h>
#include <libpq-fe.h>
#include "stops.h"
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
	char *where = joinpath(dir, msg);

	fprintf(stderr, "%s\nmigc: error: the migrations fail when replayed on %s (--no-replay skips this)\n",
	        where, what);
	free(where);
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

	/* Repeatable migrations run too (their failures are build errors),
	** after the versioned ones, whose fingerprints they leave alone. */
	if (ev->kind != MIGC_EV_APPLIED || f->rc != MIGC_OK || ev->migration < f->set->migrations ||
	    ev->migration >= f->set->migrations + f->set->count)
		return;
	mig = (struct migc_migration *)f->set->migrations + (ev->migration - f->set->migrations);
	v = f->db ? migc__sqlitepragma(f->db, "PRAGMA schema_version") : -1;
	if (v < 0 || v != f->version) {
		f->rc = migc__schemaprint(f->m, f->last);
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
/*
** Interrupts. While the scratch database exists, SIGINT, SIGTERM and
** SIGHUP (unless ignored when migc started, as a shell does for a
** background command) are caught: the handler remembers the first one,
** cancels the query running on the connection in use (PQcancel is
** async-signal-safe) and, while the migrations run, shuts that
** connection's socket down (so is shutdown()), so that the runtime fails
** at its next step instead of going on with the next migration. The
** replay then drops the database and dies of that signal.
*/
static const int stopsigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction stopold[3];
static volatile sig_atomic_t caught;
static PGcancel *volatile cancelp;      /* the query to cancel, or NULL */
static volatile int cutfd = -1;         /* the socket to shut down, or -1 */

static void
oninterrupt(int sig)
{
	char buf[256];
	int saved = errno;

	if (!caught)
		caught = sig;
	if (cancelp)
		PQcancel(cancelp, buf, sizeof(buf));
	if (cutfd >= 0)
		shutdown(cutfd, SHUT_RDWR);
	errno = saved;
}

/* Restore the signals' dispositions; after an interrupt, die of it,
** saying whether the scratch database is gone. */
static void
releasestops(const char *scratch, int dropped)
{
	if (caught)
		fprintf(stderr, "migc: interrupted (%s): the replay stopped%s%s\n",
		        caught == SIGINT ? "SIGINT" : caught == SIGTERM ? "SIGTERM" : "SIGHUP",
		        dropped ? " and dropped its scratch database " : "; drop its scratch database by hand: ", scratch);
	migc__releasestops(stopsigs, 3, stopold, caught);
}

/* Make c's running query the one an interrupt cancels; cut: shut its
** socket down too. */
static void
arm(PGconn *c, int cut)
{
	cancelp = PQgetCancel(c);
	if (cut)
		cutfd = PQsocket(c);
}

static void
disarm(void)
{
	PGcancel *p = cancelp;

	cutfd = -1;
	cancelp = NULL;
	PQfreeCancel(p);
}

/* Run sql on c; 0, or -1 after printing the server's message (unless
** an interrupt cancelled it). */
static int
pgrun(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok && !caught)
		fprintf(stderr, "migc: error: --replay-database: %s: %s", what, PQerrorMessage(c));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Print libpq's message on connecting c through url (to the database
** named, if any), its passwords masked. */
static void
connecterror(PGconn *c, const char *url, const char *name)
{
	char *msg = migc__pgconnmsg(c, url);

	if (!msg)
		fatal("out of memory");
	fprintf(stderr, "migc: error: --replay-database: cannot connect%s%s: %s", *name ? " to " : "", name, msg);
	free(msg);
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
	int rc = MIGC_OK, dropped;

	admin = PQconnectdb(url);
	if (PQstatus(admin) != CONNECTION_OK) {
		connecterror(admin, url, "");
		PQfinish(admin);
		return -1;
	}
	/* The admin connection's backend pid makes the name unique while it lasts. */
	snprintf(scratch, sizeof(scratch), "migc_replay_%ld", (long)PQbackendPID(admin));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", scratch);
	migc__catchstops(stopsigs, 3, oninterrupt, stopold);
	arm(admin, 0);
	rc = pgrun(admin, sql, "cannot create a scratch database") == 0 ? MIGC_OK : MIGC_ERROR;
	disarm();
	if (rc != MIGC_OK && !caught) {
		releasestops(scratch, 1);
		PQfinish(admin);
		return -1;
	}
	vals[1] = scratch;
	if (!caught) {
		c = PQconnectdbParams(keys, vals, 1);
		if (PQstatus(c) != CONNECTION_OK) {
			if (!caught)
				connecterror(c, url, scratch);
			rc = MIGC_ERROR;
		} else {
			rc = migc_wrap_pg(&m, c, set);
		}
	}
	if (rc == MIGC_OK && !caught) {
		arm(c, 1);
		if (!caught)
			rc = fingerprintall(m, set, NULL);
		disarm();
	}
	if (m && rc != MIGC_OK && !caught)
		replayerror(dir, "a scratch PostgreSQL database", migc_errmsg(m));
	migc_close(m);
	PQfinish(c);
	/* A cancelled CREATE DATABASE may or may not have made it. */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", scratch);
	dropped = pgrun(admin, sql, "cannot drop the scratch database") == 0;
	if (!dropped)
		rc = MIGC_ERROR;
	PQfinish(admin);
	releasestops(scratch, dropped);
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
