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
#include <stdarg.h>
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
#include "scan.h"
#include "diag.h"
#include "directives.h"
#include "digest.h"
#include "mirror.h"
#include "replay.h"

/* Print a runtime failure, whose message starts with file:line:col (or
** file), as a path under dir, with kind ("error", "note") after the
** place as a compiler writes it. */
static void
putfailure(const char *dir, const char *kind, const char *msg)
{
	char *where = joinpath(dir, msg);
	const char *p = strchr(msg, ':');
	size_t at;

	/* The place is a migration file's name: no blank, ending in .sql. */
	if (p && (p - msg < 4 || memcmp(p - 4, ".sql", 4) != 0 || memchr(msg, ' ', (size_t)(p - msg))))
		p = NULL;
	while (p && p[0] == ':' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	at = p ? strlen(where) - strlen(p) : 0;
	if (p && p[0] == ':' && p[1] == ' ')
		fprintf(stderr, "%.*s: %s: %s\n", (int)at, where, kind, where + at + 2);
	else
		fprintf(stderr, "%s\n", where);
	free(where);
}

static void
replayerror(const char *dir, const char *what, const char *msg)
{
	putfailure(dir, "error", msg);
	fprintf(stderr, "migc: error: the migrations fail when replayed on %s (--no-replay skips this)\n", what);
}

/*
** The replay applies the versioned migrations (the set without its
** repeatable ones) in one up run, as production does, and the run's event
** callback (onapplied), after each migration commits, fingerprints the
** schema it leaves (mig->schema: on SQLite from the objects it touched,
** gen/mirror.c; on PostgreSQL from a whole read) and, for a migration with
** a down that is not irreversible, makes the round trip: its down runs
** and must bring the sum back to the version before's, and its up then
** runs again and must bring it back to its own. When it does not (or
** fails), the callback ends the run (m->stop) and the slow way finds out
** what differs: the database is made again from scratch (xFresh) up to
** the version before, ups only, and the round trip is made again with
** migc_down and migc_up, comparing the whole schemas object by object
** (roundtrip), for the finding (a warning, an error with --strict); the
** database is then made again up to that version, ups only, so that the
** versions after it are fingerprinted on what production builds, and the
** run goes on. Last, a handle on the whole set runs the repeatable
** migrations (their failures are build errors), which leave no
** fingerprint.
*/
struct replay {
	migc *m;
	struct migc_set *set;
	struct migc_set versioned;      /* set without its repeatable migrations */
	sqlite3 *db;                    /* SQLite; NULL otherwise */
	struct mirror *mirror;          /* SQLite: db's schema by object; NULL otherwise */
	int (*xFresh)(struct replay *r);   /* m on a new, empty database, for the versioned set */
	int (*xWrap)(struct replay *r);    /* m on the same database, for the whole set */
	void *ctx;                         /* theirs */
	const char *dir;
	int strict, nfound;
	struct migc_migration *copies;  /* versioned's migrations, no-replay ones without statements; or NULL */
	const char *skipped;            /* the newest no-replay migration applied so far, or NULL */
	struct migc__linesum *sums;     /* what each version leaves, by index */
	struct migc__linesum base;      /* what the empty database holds */
	unsigned long done;             /* versioned migrations applied on the database */
	int trips;                      /* the callback makes round trips: set around replayall's runs only */
	int tripped;                    /* a round trip ran since the database was made */
	int suspect;                    /* the round trip of migration done - 1 did not come back */
	int check;                      /* MIGC_REPLAY_CHECK: each sum is checked against a whole read */
	int rc;                         /* a failure in the callback (reading the schema), or MIGC_OK */
	unsigned long reached;          /* migrations the callback has seen once (downless) */
	int withdowns;                  /* one of them has a down */
};

/* Print a finding about dir/file: a warning, or an error with --strict. */
static void
finding(struct replay *r, const char *file, const char *fmt, ...)
{
	char *path = joinpath(r->dir, file);
	va_list ap;

	fprintf(stderr, "%s: %s: ", path, r->strict ? "error" : "warning");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	free(path);
	r->nfound++;
}

/* Is x a column of a table that v[0..n) lists as added or removed as
** well? ("a.y" of table "a": the table's line says it.) */
static int
oftable(const struct migc_drift *x, const struct migc_drift *v, size_t n)
{
	size_t i, k;

	if (strcmp(x->kind, "column") != 0)
		return 0;
	for (i = 0; i < n; i++) {
		k = strlen(v[i].name);
		if (strcmp(v[i].kind, "table") == 0 && strcmp(v[i].change, x->change) == 0 &&
		    strncmp(x->name, v[i].name, k) == 0 && x->name[k] == '.' && !strchr(x->name + k + 1, '.'))
			return 1;
	}
	return 0;
}

/* Name, in one line, the objects a down left otherwise than they were
** before its up: "table t left behind, index i missing" (a table's
** columns go without saying). */
static void
putdifferences(struct buf *b, char *before, char *after)
{
	struct migc_drift *v;
	size_t n, i, shown = 0, left = 0;

	if (migc__diffschema(before, after, &v, &n) != MIGC_OK)
		fatal("out of memory");
	for (i = 0; i < n; i++) {
		if (oftable(&v[i], v, n))
			continue;
		if (shown == 10) {
			left++;
			continue;
		}
		bufprintf(b, "%s%s %s %s", shown++ ? ", " : "", v[i].kind, v[i].name,
		          strcmp(v[i].change, "added") == 0 ? "left behind" :
		          strcmp(v[i].change, "removed") == 0 ? "missing" : "changed");
	}
	if (left)
		bufprintf(b, " and %lu more", (unsigned long)left);
	free(v);
}

static const char irrhint[] = "fix the down migration, or mark the migration -- migc:irreversible REASON";

/*
** The round trip of mig, whose up just left after (before: what the
** version before left): *bad is 0 when its down restored before and its
** up then left after again, else 1 after reporting why. MIGC_OK, or the
** code of a failure to read the schema.
*/
static int
roundtrip(struct replay *r, const struct migc_migration *mig, const char *before, const char *after, int *bad)
{
	char *text = NULL, *a, *b;
	struct buf msg = {0};
	int rc;

	*bad = 1;
	rc = migc_down(r->m, 1, 0);
	if (rc != MIGC_OK) {
		putfailure(r->dir, "note", migc_errmsg(r->m));
		finding(r, mig->down.file, "the down migration fails when replayed after %s (%s)", mig->up.file, irrhint);
		return MIGC_OK;
	}
	if ((rc = migc__schematext(r->m, &text)) != MIGC_OK)
		return rc;
	if (strcmp(text, before) != 0) {
		a = xstrdup(before);
		putdifferences(&msg, a, text);
		finding(r, mig->down.file, "the down migration does not restore the schema from before %s: %s (%s)",
		        mig->up.file, msg.data, irrhint);
		free(a);
	} else if ((rc = migc_up(r->m, mig->version)) != MIGC_OK) {
		putfailure(r->dir, "note", migc_errmsg(r->m));
		finding(r, mig->up.file, "fails when replayed again after its down migration %s, which does not undo it "
		        "(%s)", mig->down.file, irrhint);
	} else {
		free(text);
		if ((rc = migc__schematext(r->m, &text)) != MIGC_OK)
			return rc;
		if (strcmp(text, after) != 0) {
			a = xstrdup(after);
			b = xstrdup(text);
			putdifferences(&msg, a, b);
			finding(r, mig->down.file, "after the down migration, %s leaves another schema than the first "
			        "time: %s (%s)", mig->up.file, msg.data, irrhint);
			free(a);
			free(b);
		} else {
			*bad = 0;
		}
	}
	free(text);
	buffree(&msg);
	return MIGC_OK;
}

/* The sum of the lines of the live schema into *out. */
static int
schemasum(struct replay *r, const char *after, struct migc__linesum *out)
{
	struct migc__linesum whole;
	char *text = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (r->mirror) {
		if ((rc = mirrorsync(r->mirror, r->m)) != MIGC_OK)
			return rc;
		mirrorsum(r->mirror, out);
		if (!r->check)
			return MIGC_OK;
	}
	if ((rc = migc__schematext(r->m, &text)) != MIGC_OK)
		return rc;
	memset(&whole, 0, sizeof(whole));
	migc__linesumtext(&whole, text, 1);
	free(text);
	if (r->mirror && memcmp(whole.v, out->v, sizeof(whole.v)) != 0)
		fatal("replay: after %s, the schema kept by object differs from a whole read (MIGC_REPLAY_CHECK)", after);
	*out = whole;
	return MIGC_OK;
}

static int
samesum(const struct migc__linesum *a, const struct migc__linesum *b)
{
	return memcmp(a->v, b->v, sizeof(a->v)) == 0;
}

/* The quick round trip of migration i, just applied (its sum in
** r->sums[i]): 1 when its down brought the schema back to the version
** before's and its up then to its own again, else 0 (the database is then
** in some state between). */
static int
quicktrip(struct replay *r, unsigned long i, const struct migc_migration *run)
{
	const struct migc__linesum *before = i ? &r->sums[i - 1] : &r->base;
	struct migc__linesum now;

	r->tripped = 1;
	if (migc__replayscript(r->m, &run->down) != MIGC_OK)
		return 0;
	if ((r->rc = schemasum(r, run->down.file, &now)) != MIGC_OK || !samesum(&now, before))
		return 0;
	if (migc__replayscript(r->m, &run->up) != MIGC_OK)
		return 0;
	if ((r->rc = schemasum(r, run->up.file, &now)) != MIGC_OK || !samesum(&now, &r->sums[i]))
		return 0;
	return 1;
}

/* Warn of mig, reached for the first time, when it has no down and is
** newer than the oldest migration with one. */
static void
downless(struct replay *r, unsigned long i)
{
	const struct migc_migration *mig = &r->set->migrations[i];

	if (i < r->reached)
		return;
	r->reached = i + 1;
	r->withdowns |= mig->down.file != NULL;
	if (!mig->down.file && !mig->irreversible && r->withdowns)
		finding(r, mig->up.file, "no down migration, where the migrations before it have one: down refuses "
		        "to revert it (write its down migration, or mark it -- migc:irreversible REASON)");
}

/* The up run's event callback: after each versioned migration commits,
** its fingerprint and its round trip. */
static void
onapplied(void *ctx, const struct migc_event *ev)
{
	struct replay *r = ctx;
	const struct migc_migration *run = ev->migration;
	struct migc_migration *mig;
	unsigned long i;
	char fp[MIGC__DIGEST_SIZE];

	if (ev->kind != MIGC_EV_APPLIED || !run || r->rc != MIGC_OK || run < r->versioned.migrations ||
	    run >= r->versioned.migrations + r->versioned.count)
		return;
	i = (unsigned long)(run - r->versioned.migrations);
	mig = (struct migc_migration *)r->set->migrations + i;
	r->done = i + 1;
	if ((r->rc = schemasum(r, run->up.file, &r->sums[i])) != MIGC_OK) {
		r->m->stop = 1;
		return;
	}
	migc__linesumdigest(&r->sums[i], fp);
	free((char *)mig->schema);
	mig->schema = xstrdup(fp);
	downless(r, i);
	if (run->up.nstmts != mig->up.nstmts)
		r->skipped = mig->up.file;
	else if (r->trips && mig->down.file && !mig->irreversible && !quicktrip(r, i, run)) {
		r->suspect = 1;
		r->m->stop = 1;
	}
	/* A round trip's failure is found again the slow way; a failure to
	** read the schema (r->rc) keeps its message. */
	if (r->rc == MIGC_OK)
		migc__clearerr(r->m);
	else
		r->m->stop = 1;
}

/* Make the database again, running the ups of the first n versioned
** migrations, without round trips. */
static int
rebuild(struct replay *r, unsigned long n)
{
	int rc;

	migc_close(r->m);
	r->m = NULL;
	r->done = 0;
	r->tripped = 0;
	rc = r->xFresh(r);
	if (rc == MIGC_OK && n > 0)
		rc = migc_up(r->m, r->versioned.migrations[n - 1].version);
	if (rc == MIGC_OK && r->rc != MIGC_OK)
		rc = r->rc;
	return rc;
}

/*
** The quick round trip of migration i did not come back: make it again
** the slow way, on a database made again through the version before,
** comparing whole schemas, for a finding that names what differs; then
** make the database again through i, ups only. MIGC_OK, or the code of a
** failure (of an up, or to read the schema).
*/
static int
slowtrip(struct replay *r, unsigned long i)
{
	const struct migc_migration *mig = &r->set->migrations[i];
	char *before = NULL, *after = NULL;
	int rc, bad = 0;

	rc = rebuild(r, i);
	if (rc == MIGC_OK)
		rc = migc__schematext(r->m, &before);
	if (rc == MIGC_OK)
		rc = migc_up(r->m, mig->version);
	if (rc == MIGC_OK)
		rc = migc__schematext(r->m, &after);
	if (rc == MIGC_OK)
		rc = roundtrip(r, mig, before, after, &bad);
	free(before);
	free(after);
	if (rc == MIGC_OK && bad)
		rc = rebuild(r, i + 1);
	return rc;
}

/*
** The up of migration i failed after round trips (m's message says why):
** make the database again with the ups alone through the version before,
** and run it there. When it passes, the downs before it left state behind
** that the schema does not show (rows, an AUTOINCREMENT counter, a
** sequence), and that is a finding about them; when it fails again, it is
** the up's own failure. MIGC_OK, or the code of that failure.
*/
static int
retrywithout(struct replay *r, unsigned long i)
{
	const struct migc_migration *mig = &r->set->migrations[i];
	char *why = xstrdup(migc_errmsg(r->m));
	int rc;

	rc = rebuild(r, i);
	if (rc == MIGC_OK && (rc = migc_up(r->m, mig->version)) == MIGC_OK && (rc = r->rc) == MIGC_OK) {
		putfailure(r->dir, "note", why);
		finding(r, mig->up.file, "fails after the round trips of the down migrations before it, not without them: "
		        "a down leaves rows, counters or sequences behind that the schema does not show (%s)", irrhint);
	}
	free(why);
	return rc;
}

/* Apply the versioned migrations on r->m, fingerprinting each version and
** running the round trips; then the repeatable ones. MIGC_OK, or the code
** of a failure, whose message is on r->m. */
static int
replayall(struct replay *r)
{
	int rc;

	if (r->set->count == 0)
		goto repeatables;
	r->sums = xreallocarray(NULL, r->set->count, sizeof(*r->sums));
	rc = schemasum(r, "nothing", &r->base);
	while (rc == MIGC_OK && r->done < r->set->count) {
		unsigned long had = r->done;

		r->trips = 1;
		rc = migc_up(r->m, r->versioned.migrations[r->versioned.count - 1].version);
		r->trips = 0;
		if (rc == MIGC_OK && !r->suspect && r->rc == MIGC_OK && r->done == had)
			fatal("replay: the up run applied nothing, with %lu of %lu migrations applied", had, r->set->count);
		if (rc == MIGC_OK && (rc = r->rc) != MIGC_OK)
			break;
		if (rc == MIGC_OK && r->suspect) {
			r->suspect = 0;
			rc = slowtrip(r, r->done - 1);
		} else if (rc != MIGC_OK && r->tripped && r->done < r->set->count) {
			rc = retrywithout(r, r->done);
		}
	}
	free(r->sums);
	r->sums = NULL;
	if (rc != MIGC_OK)
		return rc;
repeatables:
	if (r->set->nrepeatables && (rc = r->xWrap(r)) == MIGC_OK)
		rc = migc_up(r->m, MIGC_LATEST);
	return r->set->nrepeatables ? rc : MIGC_OK;
}

/* rc of wrapping r->m: the replay fingerprints each version itself, so
** the handle records no schema on the rows (a whole read and write of it
** per version). */
static int
wrapped(struct replay *r, int rc)
{
	if (rc == MIGC_OK) {
		r->m->norecord = 1;
		rc = migc_set_event(r->m, onapplied, r);
	}
	return rc;
}

/* SQLite: a new database, as a connection migc_open makes. It is
** SQLite's private temporary database (the empty name): a file in its
** temporary directory, deleted when it closes, and written there only
** when its pages outgrow the cache, so that a large set's rows are not
** all in gen's memory, as they would be in ":memory:". */
static int
sqlitefresh(struct replay *r)
{
	migc_close(r->m);
	r->m = NULL;
	mirrorfree(r->mirror);
	r->mirror = NULL;
	sqlite3_close(r->db);
	if (sqlite3_open("", &r->db) != SQLITE_OK)
		fatal("sqlite3_open: out of memory");
	sqlite3_exec(r->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	r->mirror = mirrornew(r->db);
	return wrapped(r, migc_wrap_sqlite(&r->m, r->db, &r->versioned));
}

static int
sqlitewrap(struct replay *r)
{
	migc_close(r->m);
	r->m = NULL;
	return wrapped(r, migc_wrap_sqlite(&r->m, r->db, r->set));
}

/* Does mig say -- migc:no-replay? (its errors were reported when it was read) */
static int
noreplay(const struct migc_set *set, const struct migc_migration *mig)
{
	struct directives dv = DIRECTIVES_NONE;

	scriptdirectives(&mig->up, strcmp(set->dialect, "sqlite") == 0 ? DIALECT_SQLITE : DIALECT_POSTGRES, &dv);
	freedirectives(&dv);
	return dv.noreplay_line != 0;
}

/* A replay of set on dir, strict or not, without its database yet. The
** runtime applies versioned: the set without its repeatable migrations
** and, when some migration says -- migc:no-replay, a copy of the records
** where those have no statements (still recorded as applied). */
static void
replayinit(struct replay *r, struct migc_set *set, const char *dir, int strict)
{
	unsigned long i;

	memset(r, 0, sizeof(*r));
	r->set = set;
	r->versioned = *set;
	r->versioned.repeatables = NULL;
	r->versioned.nrepeatables = 0;
	r->dir = dir;
	r->strict = strict;
	r->check = getenv("MIGC_REPLAY_CHECK") != NULL;
	for (i = 0; i < set->count; i++) {
		if (!noreplay(set, &set->migrations[i]))
			continue;
		if (!r->copies) {
			r->copies = xreallocarray(NULL, set->count, sizeof(*r->copies));
			memcpy(r->copies, set->migrations, set->count * sizeof(*r->copies));
			r->versioned.migrations = r->copies;
		}
		r->copies[i].up.stmts = NULL;
		r->copies[i].up.nstmts = 0;
		r->copies[i].down.stmts = NULL;
		r->copies[i].down.nstmts = 0;
	}
}

/* After a failure: name the skipped migration that may be why. */
static void
replaydone(struct replay *r, int rc)
{
	if (rc != MIGC_OK && r->skipped)
		fprintf(stderr, "migc: note: the replay skipped the statements of %s (-- migc:no-replay): a later "
		        "migration that needs its rows fails here, and runs in production\n", r->skipped);
	free(r->copies);
}

static int
replaysqlite(struct migc_set *set, const char *dir, int strict)
{
	struct replay r;
	int rc;

	replayinit(&r, set, dir, strict);
	r.xFresh = sqlitefresh;
	r.xWrap = sqlitewrap;
	rc = sqlitefresh(&r);
	if (rc == MIGC_OK)
		rc = replayall(&r);
	if (rc != MIGC_OK) {
		const char *msg = migc_errmsg(r.m);

		replayerror(dir, "a temporary SQLite database", msg);
		/* It spills to a file once it outgrows the cache: a full or
		** unwritable temporary directory is not the migration's fault. */
		if (strstr(msg, sqlite3_errstr(SQLITE_FULL)) || strstr(msg, sqlite3_errstr(SQLITE_IOERR)) ||
		    strstr(msg, sqlite3_errstr(SQLITE_CANTOPEN)))
			fprintf(stderr, "migc: note: that database is a file in SQLite's temporary directory (SQLITE_TMPDIR, "
			        "else TMPDIR, else /var/tmp, /usr/tmp, /tmp or .), which may be full or not writable\n");
	}
	replaydone(&r, rc);
	migc_close(r.m);
	mirrorfree(r.mirror);
	sqlite3_close(r.db);
	return rc != MIGC_OK ? -1 : strict && r.nfound ? -1 : 0;
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

/* The server's notices (a NOTICE of CREATE TABLE IF NOT EXISTS, of a
** cascading TRUNCATE) are the migrations' business, not the build's. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The scratch database of a PostgreSQL replay, and how it is reached. */
struct pgscratch {
	const char *url;
	PGconn *admin, *c;
	char name[64];
	int made;       /* CREATE DATABASE was sent (it may have run) */
};

/*
** r->m on a new, empty scratch database (dropped first when it exists),
** for the versioned set; an interrupt cancels what runs on the admin
** connection, and shuts the scratch connection's socket down while the
** migrations run.
*/
static int
pgfresh(struct replay *r)
{
	struct pgscratch *p = r->ctx;
	const char *keys[] = { "dbname", "dbname", "fallback_application_name", NULL };
	const char *vals[] = { p->url, p->name, "migc gen", NULL };
	char sql[160];
	int rc;

	disarm();
	migc_close(r->m);
	r->m = NULL;
	PQfinish(p->c);
	p->c = NULL;
	arm(p->admin, 0);
	rc = MIGC_OK;
	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", p->name);
	if (p->made)
		rc = pgrun(p->admin, sql, "cannot drop the scratch database") == 0 ? MIGC_OK : MIGC_ERROR;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", p->name);
	p->made = 1;
	if (rc == MIGC_OK && !caught)
		rc = pgrun(p->admin, sql, "cannot create a scratch database") == 0 ? MIGC_OK : MIGC_ERROR;
	disarm();
	if (rc != MIGC_OK || caught)
		return MIGC_ERROR;
	p->c = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(p->c) != CONNECTION_OK) {
		if (!caught)
			connecterror(p->c, p->url, p->name);
		return MIGC_ERROR;
	}
	PQsetNoticeProcessor(p->c, quiet, NULL);
	arm(p->c, 1);
	return caught ? MIGC_ERROR : wrapped(r, migc_wrap_pg(&r->m, p->c, &r->versioned));
}

static int
pgwrap(struct replay *r)
{
	struct pgscratch *p = r->ctx;

	migc_close(r->m);
	r->m = NULL;
	return wrapped(r, migc_wrap_pg(&r->m, p->c, r->set));
}

/* Replay on a scratch database made through url, dropped afterwards. */
static int
replaypg(struct migc_set *set, const char *dir, const char *url, int strict)
{
	struct pgscratch p;
	struct replay r;
	char sql[160];
	int rc, dropped;

	memset(&p, 0, sizeof(p));
	p.url = url;
	p.admin = PQconnectdb(url);
	if (PQstatus(p.admin) != CONNECTION_OK) {
		connecterror(p.admin, url, "");
		PQfinish(p.admin);
		return -1;
	}
	PQsetNoticeProcessor(p.admin, quiet, NULL);
	/* The admin connection's backend pid makes the name unique while it lasts. */
	snprintf(p.name, sizeof(p.name), "migc_replay_%ld", (long)PQbackendPID(p.admin));
	replayinit(&r, set, dir, strict);
	r.xFresh = pgfresh;
	r.xWrap = pgwrap;
	r.ctx = &p;
	migc__catchstops(stopsigs, 3, oninterrupt, stopold);
	rc = pgfresh(&r);
	if (rc == MIGC_OK && !caught)
		rc = replayall(&r);
	disarm();
	if (r.m && rc != MIGC_OK && !caught)
		replayerror(dir, "a scratch PostgreSQL database", migc_errmsg(r.m));
	replaydone(&r, caught ? MIGC_OK : rc);
	migc_close(r.m);
	PQfinish(p.c);
	/* A cancelled CREATE DATABASE may or may not have made it. */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", p.name);
	dropped = pgrun(p.admin, sql, "cannot drop the scratch database") == 0;
	if (!dropped)
		rc = MIGC_ERROR;
	PQfinish(p.admin);
	releasestops(p.name, dropped);
	return rc != MIGC_OK || caught ? -1 : strict && r.nfound ? -1 : 0;
}
#endif

int
replay(struct migc_set *set, const char *dir, const char *url, int strict)
{
	if (strcmp(set->dialect, "sqlite") == 0)
		return replaysqlite(set, dir, strict);
	if (!url)
		return 0;
#ifdef MIGC_POSTGRES
	return replaypg(set, dir, url, strict);
#else
	(void)dir;
	(void)strict;
	fprintf(stderr, "migc: error: --replay-database: this migc was built without PostgreSQL support\n");
	return -1;
#endif
}
