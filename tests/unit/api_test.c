/*
** api_test.c: the embedding API on a connection the application holds:
** an in-memory database, migrated with migc_wrap_sqlite(). Linked with
** the set generated from tests/unit/api/ as app_migrations; argv[1] is a
** directory for the test's SQLite files. Calls that crashed before
** their fix run in a child process, so that a crash fails its check
** instead of ending the test.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "migc.h"
#include "testlib.h"

extern const struct migc_set app_migrations;

const char testname[] = "api";

static int napplied;


static int
queryint(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
onevent(void *ctx, const struct migc_event *ev)
{
	(void)ctx;
	if (ev->kind == MIGC_EV_APPLIED)
		napplied++;
}

/* A handle that failed to open or wrap: every later call gives want and
** the message the failure left, which must hold what. */
static void
checkfailed(const char *name, migc *m, int rc, int want, const char *what)
{
	struct failcase c;
	char label[256];

	snprintf(label, sizeof(label), "%s is %d with its message", name, want);
	check(rc == want && m && strstr(migc_errmsg(m), what), label, m ? migc_errmsg(m) : "no handle");
	c.m = m;
	c.want = want;
	c.msg = m ? migc_errmsg(m) : NULL;
	snprintf(label, sizeof(label), "... and every later call on that handle is %d with the same message, no crash", want);
	check(inchild(everycallf, &c) == 0, label, "see above");
	migc_close(m);
}

/* NULL where a pointer is needed is MIGC_INPUT; ok is a working handle. */
static int
nullargs(void *arg)
{
	migc *ok = arg, *m = NULL;
	sqlite3 *db;
	int bad = 0;

	bad += everycall(NULL, MIGC_INPUT, NULL);
	bad += callok(NULL, "migc_open(NULL, ...)", migc_open(NULL, "sqlite::memory:", &app_migrations, 0), MIGC_INPUT, NULL);
	sqlite3_open(":memory:", &db);
	bad += callok(NULL, "migc_wrap_sqlite(NULL, ...)", migc_wrap_sqlite(NULL, db, &app_migrations), MIGC_INPUT, NULL);
	sqlite3_close(db);
	bad += callok(ok, "migc_status(m, NULL, NULL)", migc_status(ok, NULL, NULL), MIGC_INPUT, NULL);
	bad += callok(ok, "migc_verify_schema(m, NULL, NULL)", migc_verify_schema(ok, NULL, NULL), MIGC_INPUT, NULL);
	bad += callok(ok, "migc_set_table(m, NULL)", migc_set_table(ok, NULL), MIGC_INPUT, NULL);
	bad += callok(ok, "migc_set_schema(m, NULL)", migc_set_schema(ok, NULL), MIGC_INPUT, NULL);
	bad += callok(ok, "migc_open(&m, NULL, ...)", migc_open(&m, NULL, &app_migrations, 0), MIGC_INPUT, NULL);
	migc_close(m);
	if (migc_find(NULL, 1) != NULL || migc_also_accepts(NULL, "c1:00") || migc_also_accepts(&app_migrations.migrations[0], NULL)) {
		printf("migc_find or migc_also_accepts took NULL for a set or a migration\n");
		bad++;
	}
	bad += callok(ok, "migc_up on the working handle after all that", migc_up(ok, MIGC_LATEST), MIGC_OK, "");
	return bad;
}

/*
** A hand-written set of one migration, 0001_x.sql: its up and (unless
** NULL) down SQL, one statement a line, with their flags. checksum tells
** an edited file from the one applied.
*/
struct handset {
	struct migc_stmt up[8], down[8];
	struct migc_migration mig;
	struct migc_set set;
};

/* sc: file's sql, one statement a line, into stmts (at most 8). */
static void
script(struct migc_script *sc, const char *file, const char *sql, struct migc_stmt *stmts, unsigned flags)
{
	const char *p, *start = sql;

	sc->file = file;
	sc->sql = sql;
	sc->length = strlen(sql);
	sc->stmts = stmts;
	sc->nstmts = 0;
	sc->flags = flags;
	for (p = sql; *p && sc->nstmts < 8; p++) {
		if (*p != '\n')
			continue;
		stmts[sc->nstmts].offset = (unsigned long)(start - sql);
		stmts[sc->nstmts].length = (unsigned long)(p - start);
		stmts[sc->nstmts].line = sc->nstmts + 1;
		sc->nstmts++;
		start = p + 1;
	}
}

static const struct migc_set *
handset(struct handset *h, const char *up, unsigned upflags, const char *down, unsigned downflags, const char *checksum)
{
	memset(h, 0, sizeof(*h));
	h->mig.version = 1;
	h->mig.name = "x";
	h->mig.checksum = checksum;
	h->mig.raw_checksum = "r1:0000000000000000000000000000000000000000000000000000000000000000";
	script(&h->mig.up, "0001_x.sql", up, h->up, upflags);
	if (down)
		script(&h->mig.down, "0001_x.down.sql", down, h->down, downflags);
	h->set.layout = MIGC_LAYOUT;
	h->set.dialect = "sqlite";
	h->set.driver = &migc_driver_sqlite;
	h->set.migrations = &h->mig;
	h->set.count = 1;
	h->set.hash = "c1:0000000000000000000000000000000000000000000000000000000000000000";
	return &h->set;
}

#define SUM1 "c1:1111111111111111111111111111111111111111111111111111111111111111"
#define SUM2 "c1:2222222222222222222222222222222222222222222222222222222222222222"

/* A handle on dir/name for set; fresh: the file made anew. */
static migc *
opendb(const char *dir, const char *name, const struct migc_set *set, int fresh)
{
	char url[4096];
	migc *m;

	snprintf(url, sizeof(url), "sqlite:%s/%s", dir, name);
	if (fresh)
		remove(url + 7);
	if (migc_open(&m, url, set, 0) != MIGC_OK)
		printf("open %s: %s\n", url, migc_errmsg(m));
	return m;
}

/* Run sql on dir/name as the application would. */
static void
execdb(const char *dir, const char *name, const char *sql)
{
	char path[4096];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	sqlite3_open(path, &db);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		printf("%s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Open dir/name for set (fresh: made anew, and migc_up run on it): the
** verification that follows finds a migration that stopped, its message
** holding what. */
static void
stopped(const char *dir, const char *name, const struct migc_set *set, int fresh, const char *what, const char *label)
{
	migc *m = opendb(dir, name, set, fresh);

	if (fresh)
		migc_up(m, MIGC_LATEST);
	checkapimsg(m, migc_verify(m), MIGC_VERIFY, what, label);
	migc_close(m);
}

/*
** Issue 13: every message that told a library user of a command-line flag
** (--table, --to, --resume, repair --clear-failed, ...) names the API
** instead; the command line puts its flags back (tests/cli.sh).
*/
static void
apinames(const char *dir)
{
	struct handset h, h2;
	struct migc_drift *drift = NULL;
	struct migc_set only3 = app_migrations;
	size_t n = 0;
	migc *m;
	int rc;

	m = opendb(dir, "names.db", &app_migrations, 1);
	checkapimsg(m, migc_set_schema(m, ""), MIGC_INPUT, "invalid schema (migc_set_schema) name",
	            "migc_set_schema refuses an empty name");
	checkapimsg(m, migc_up_dry_run(m, 42), MIGC_INPUT, "migc_up_dry_run target version: no migration has version 42",
	            "migc_up_dry_run to an unknown version");
	checkapimsg(m, migc_down(m, 0, 42), MIGC_INPUT, "migc_down target version: no migration has version 42",
	            "migc_down to an unknown version");
	checkapimsg(m, migc_repair(m, 7, 0), MIGC_INPUT,
	            "migc_repair: say what to repair: MIGC_REPAIR_CLEAR_FAILED or MIGC_REPAIR_ACCEPT_CHECKSUMS",
	            "migc_repair of nothing it knows");
	checkapimsg(m, migc_repair(m, MIGC_REPAIR_CLEAR_FAILED, 1), MIGC_INPUT,
	            "migc_repair with MIGC_REPAIR_CLEAR_FAILED: version 1 has no failed record",
	            "migc_repair with MIGC_REPAIR_CLEAR_FAILED of a version that did not fail");
	migc_set_single_transaction(m, 1);
	checkapimsg(m, migc_up(m, MIGC_LATEST), MIGC_INPUT, "a single transaction (migc_set_single_transaction) "
	            "cannot include 0003_index.sql: it is a no-transaction migration",
	            "migc_set_single_transaction with a no-transaction migration");
	migc_set_single_transaction(m, 0);
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK, "migc_up of the set, for the next check", migc_errmsg(m));
	migc_close(m);

	/* The newest row without its recorded schema. */
	execdb(dir, "names.db", "UPDATE migc_migrations SET schema_fingerprint = NULL, schema_text = NULL");
	m = opendb(dir, "names.db", &app_migrations, 0);
	checkapimsg(m, migc_verify_schema(m, &drift, &n), MIGC_VERIFY, "run migc_up once to record it",
	            "migc_verify_schema without a recorded schema");
	migc_free(drift);
	migc_close(m);

	/* A table of the tracking table's name that migc did not make. */
	m = opendb(dir, "foreign.db", &app_migrations, 1);
	execdb(dir, "foreign.db", "CREATE TABLE migc_migrations (x)");
	checkapimsg(m, migc_up(m, MIGC_LATEST), MIGC_ERROR, "set another name with migc_set_table",
	            "a tracking table migc did not make");
	migc_close(m);

	/* Out of order: version 3 applied (baselined) before 1 and 2. */
	only3.migrations = &app_migrations.migrations[2];
	only3.count = 1;
	m = opendb(dir, "order.db", &only3, 1);
	rc = migc_baseline(m, 3);
	check(rc == MIGC_OK, "migc_baseline of version 3 alone, for the next check", migc_errmsg(m));
	migc_close(m);
	m = opendb(dir, "order.db", &app_migrations, 0);
	checkapimsg(m, migc_up(m, MIGC_LATEST), MIGC_VERIFY, "(set migc_set_allow_out_of_order to apply it anyway)",
	            "pending migrations older than the newest applied one");
	migc_close(m);

	/* No-transaction migrations that stopped: at the first statement, at
	** the second, and at the second after the first was edited; and a
	** no-transaction down that failed. */
	stopped(dir, "first.db", handset(&h, "INSERT INTO nosuch VALUES (1);\n", MIGC_NO_TRANSACTION, NULL, 0, SUM1), 1,
	        "run migc_up with migc_set_resume to run it from its first statement; or run migc_repair with "
	        "MIGC_REPAIR_CLEAR_FAILED for version 1", "a no-transaction migration that failed at its first statement");
	stopped(dir, "second.db", handset(&h, "CREATE TABLE f (x);\nINSERT INTO nosuch VALUES (1);\n", MIGC_NO_TRANSACTION,
	                                  NULL, 0, SUM1), 1,
	        "run migc_up with migc_set_resume to go on at statement 2; or undo its changes by hand and run migc_repair "
	        "with MIGC_REPAIR_CLEAR_FAILED for version 1", "a no-transaction migration that failed at its second statement");
	stopped(dir, "second.db", handset(&h2, "CREATE TABLE f (y);\nINSERT INTO nosuch VALUES (1);\n", MIGC_NO_TRANSACTION,
	                                  NULL, 0, SUM2), 0,
	        "cannot resume: fix the database by hand, then run migc_repair with MIGC_REPAIR_CLEAR_FAILED for version 1",
	        "... and once the statement before it was edited");
	m = opendb(dir, "down.db", handset(&h, "CREATE TABLE f (x);\n", 0, "DROP TABLE f;\nDROP TABLE nosuch;\n",
	                                   MIGC_NO_TRANSACTION, SUM1), 1);
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK && migc_down(m, 1, 0) == MIGC_ERROR, "a no-transaction down that fails, for the next check",
	      migc_errmsg(m));
	checkapimsg(m, migc_verify(m), MIGC_VERIFY, "fix the database by hand, then run migc_repair with "
	            "MIGC_REPAIR_CLEAR_FAILED for version 1", "a no-transaction down that failed");
	migc_close(m);

	/* A set without a driver. */
	h.set.driver = NULL;
	rc = migc_open(&m, "sqlite::memory:", &h.set, 0);
	checkapimsg(m, rc, MIGC_INPUT, "names no database driver", "a set without a driver");
	migc_close(m);
}
/*
** Allocation failures on demand: cli.sh links this program with
** -Wl,--wrap=malloc,--wrap=calloc, so libmigc's allocations come here.
** failmalloc/failcalloc: fail the allocation after that many more
** succeed; -1: never.
*/
static int failmalloc = -1, failcalloc = -1;
void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);

void *
__wrap_malloc(size_t n)
{
	if (failmalloc >= 0 && failmalloc-- == 0)
		return NULL;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t k, size_t n)
{
	if (failcalloc >= 0 && failcalloc-- == 0)
		return NULL;
	return __real_calloc(k, n);
}

/* MIGC_VERSION_NUMBER from a "major.minor.patch" string. */
static long
versionnumber(const char *v)
{
	long major = 0, minor = 0, patch = 0;

	if (sscanf(v, "%ld.%ld.%ld", &major, &minor, &patch) != 3)
		return -1;
	return major * 1000000 + minor * 1000 + patch;
}

/* The calls an event callback makes on the handle that is running it. */
struct reenter {
	migc *m;
	int nevents;
	int rc[8];
	const char *msg;        /* migc_errmsg inside the callback: readable */
};

static void
reentrant(void *ctx, const struct migc_event *ev)
{
	struct reenter *r = ctx;
	struct migc_state *states = NULL;
	size_t n = 0;

	if (ev->kind != MIGC_EV_APPLIED || r->nevents++ > 0)
		return;
	r->rc[0] = migc_up(r->m, MIGC_LATEST);
	r->rc[1] = migc_down(r->m, 1, 0);
	r->rc[2] = migc_status(r->m, &states, &n);
	r->rc[3] = migc_verify(r->m);
	r->rc[4] = migc_set_table(r->m, "elsewhere");
	r->rc[5] = migc_set_lock_timeout(r->m, 5);
	r->rc[6] = migc_set_event(r->m, NULL, NULL);
	r->rc[7] = states || n ? -1 : MIGC_MISUSE;
	migc_close(r->m);       /* would free the handle under the running call */
	r->msg = migc_errmsg(r->m);
}

/* In a child: a callback's calls on its own handle are MIGC_MISUSE and
** change nothing; the running up goes on and the handle stays usable. */
static int
reentry(void *arg)
{
	struct reenter r;
	sqlite3 *db;
	int rc, i, bad = 0;

	(void)arg;
	memset(&r, 0, sizeof(r));
	sqlite3_open(":memory:", &db);
	if (migc_wrap_sqlite(&r.m, db, &app_migrations) != MIGC_OK)
		return 1;
	migc_set_event(r.m, reentrant, &r);
	rc = migc_up(r.m, MIGC_LATEST);
	for (i = 0; i < 8; i++)
		bad += callok(r.m, "a call from the event callback", r.rc[i], MIGC_MISUSE, NULL);
	bad += callok(r.m, "the up that ran the callback", rc, MIGC_OK, "");
	if (r.nevents != 3 || !r.msg || queryint(db, "SELECT count(*) FROM migc_migrations") != 3) {
		printf("the up applied %d migrations (%d rows), or migc_errmsg was not readable in the callback\n",
		       r.nevents, queryint(db, "SELECT count(*) FROM migc_migrations"));
		bad++;
	}
	bad += callok(r.m, "migc_verify after it (on the same table)", migc_verify(r.m), MIGC_OK, "");
	migc_close(r.m);
	sqlite3_close(db);
	return bad;
}

/* In a child: the driver decides the set's database, wherever it is asked;
** the dialect string is not read. */
static int
driverdecides(void *arg)
{
	struct migc_set set = app_migrations;
	sqlite3 *db;
	migc *m;
	int bad = 0;

	(void)arg;
	set.dialect = "postgres";       /* a SQLite driver with a wrong name */
	bad += callok(NULL, "migc_open(sqlite:) of a sqlite driver named postgres", migc_open(&m, "sqlite::memory:", &set, 0), MIGC_OK, NULL);
	bad += callok(m, "... and up", migc_up(m, MIGC_LATEST), MIGC_OK, "");
	migc_close(m);
	sqlite3_open(":memory:", &db);
	bad += callok(NULL, "migc_wrap_sqlite of it", migc_wrap_sqlite(&m, db, &set), MIGC_OK, NULL);
	migc_close(m);
	set.dialect = "sqlite";         /* a PostgreSQL driver named sqlite */
	set.driver = &migc_driver_postgres;
	bad += callok(NULL, "migc_open(sqlite:) of a postgres driver named sqlite", migc_open(&m, "sqlite::memory:", &set, 0), MIGC_INPUT, NULL);
	if (!strstr(migc_errmsg(m), "generated for postgres, not for a sqlite database")) {
		printf("migc_open said: %s\n", migc_errmsg(m));
		bad++;
	}
	migc_close(m);
	bad += callok(NULL, "migc_wrap_sqlite of it", migc_wrap_sqlite(&m, db, &set), MIGC_INPUT, NULL);
	migc_close(m);
	sqlite3_close(db);
	return bad;
}

/* In a child: a crash of either fails the check. */
static int
closenull(void *arg)
{
	(void)arg;
	migc_close(NULL);
	migc_free(NULL);
	return 0;
}

/* A SQLite file dir/name, new and empty. */
static sqlite3 *
freshdb(const char *dir, const char *name)
{
	char path[4096];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	remove(path);
	sqlite3_open(path, &db);
	return db;
}

/* f(m) is want with a message holding what (want MIGC_OK and what "": an
** empty one). */
static void
code(const char *name, migc *m, int rc, int want, const char *what)
{
	char label[512];

	snprintf(label, sizeof(label), "%s is %d", name, want);
	check(rc == want && (want == MIGC_OK && !*what ? strcmp(migc_errmsg(m), "") == 0 : strstr(migc_errmsg(m), what) != NULL),
	      label, migc_errmsg(m));
}

/* Seconds since t0, on the monotonic clock. */
static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Each result code migc.h documents, provoked where the API is called. */
static void
codes(const char *dir)
{
	struct migc_set old = app_migrations;
	struct migc_state *states = NULL;
	struct migc_drift *drift = NULL;
	struct timespec t0;
	char path[4096], url[4200];
	sqlite3 *db, *other;
	migc *m, *ro;
	size_t n = 0;

	/* migc_open */
	code("migc_open of a NULL URL", m, migc_open(&m, NULL, &app_migrations, 0), MIGC_INPUT, "unsupported database URL");
	migc_close(m);
	code("migc_open of a mysql:// URL", m, migc_open(&m, "mysql://u:pw@h/db", &app_migrations, 0), MIGC_INPUT, "unsupported database URL 'mysql://u:***@h/db'");
	migc_close(m);
	code("migc_open of a SQLite URL with an unknown parameter", m, migc_open(&m, "sqlite:x.db?journal_mode=wal", &app_migrations, 0),
	     MIGC_INPUT, "unknown parameter 'journal_mode'");
	migc_close(m);
	old.layout = MIGC_LAYOUT - 1;
	code("migc_open of a set of another record layout", m, migc_open(&m, "sqlite::memory:", &old, 0), MIGC_INPUT, "another record layout");
	migc_close(m);
	snprintf(url, sizeof(url), "sqlite:%s/missing.db", dir);
	code("migc_open(MIGC_READONLY) of a file that does not exist", m, migc_open(&m, url, &app_migrations, MIGC_READONLY),
	     MIGC_ERROR, "(it must exist)");
	migc_close(m);

	/* The setters: MIGC_OK clears the message; a bad value is MIGC_INPUT. */
	snprintf(path, sizeof(path), "%s/codes.db", dir);
	snprintf(url, sizeof(url), "sqlite:%s", path);
	db = freshdb(dir, "codes.db");
	sqlite3_exec(db, "CREATE TABLE notours (x)", NULL, NULL, NULL);
	code("migc_wrap_sqlite", m, migc_wrap_sqlite(&m, db, &app_migrations), MIGC_OK, "");
	code("migc_set_table(m, \"\")", m, migc_set_table(m, ""), MIGC_INPUT, "invalid tracking table (migc_set_table) name");
	/* A setter's success keeps the message of the failure before it. */
	code("migc_set_single_transaction after a failure", m, migc_set_single_transaction(m, 0), MIGC_OK, "invalid tracking table");
	code("migc_set_allow_out_of_order", m, migc_set_allow_out_of_order(m, 0), MIGC_OK, "invalid tracking table");
	code("migc_set_resume", m, migc_set_resume(m, 0), MIGC_OK, "invalid tracking table");
	code("migc_set_event(m, NULL, NULL)", m, migc_set_event(m, NULL, NULL), MIGC_OK, "invalid tracking table");
	code("migc_set_table(m, \"migc_migrations\")", m, migc_set_table(m, "migc_migrations"), MIGC_OK, "invalid tracking table");
	code("migc_set_lock_timeout(m, 2147483)", m, migc_set_lock_timeout(m, 2147483), MIGC_OK, "invalid tracking table");
	code("migc_set_lock_timeout(m, 2147484)", m, migc_set_lock_timeout(m, 2147484), MIGC_INPUT, "lock timeout 2147484 s: it must be 0 to 2147483 seconds");
	code("migc_set_lock_timeout(m, 1)", m, migc_set_lock_timeout(m, 1), MIGC_OK, "lock timeout 2147484 s");
	code("migc_set_lock_timeout(m, -1)", m, migc_set_lock_timeout(m, -1), MIGC_INPUT, "lock timeout -1 s");

	/* MIGC_BUSY: another connection holds the file for longer than the
	** lock timeout, which the refused -1 left at 1 s. */
	sqlite3_open(path, &other);
	sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	code("migc_up while another connection holds the database", m, migc_up(m, MIGC_LATEST), MIGC_BUSY, "stayed locked by another connection");
	check(since(&t0) > 0.9, "... after the 1 s lock timeout (the refused -1 did not change it)", "sooner");
	migc_set_lock_timeout(m, 0);
	code("migc_status while another connection holds the database", m, migc_status(m, &states, &n), MIGC_BUSY, "stayed locked");
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	migc_set_lock_timeout(m, 60);

	/* MIGC_INPUT from a read-only handle. */
	code("migc_open(MIGC_READONLY)", ro, migc_open(&ro, url, &app_migrations, MIGC_READONLY), MIGC_OK, "");
	code("migc_up on a read-only handle", ro, migc_up(ro, MIGC_LATEST), MIGC_INPUT, "opened read-only");
	code("migc_down on a read-only handle", ro, migc_down(ro, 1, 0), MIGC_INPUT, "opened read-only");
	code("migc_baseline on a read-only handle", ro, migc_baseline(ro, 1), MIGC_INPUT, "opened read-only");
	code("migc_repair on a read-only handle", ro, migc_repair(ro, MIGC_REPAIR_ACCEPT_CHECKSUMS, 0), MIGC_INPUT, "opened read-only");
	migc_close(ro);

	/* MIGC_ERROR: a table of that name migc did not make; a failing statement. */
	migc_set_table(m, "notours");
	code("migc_status on a table migc did not make", m, migc_status(m, &states, &n), MIGC_ERROR, "was not made by migc");
	migc_set_table(m, "migc_migrations");
	sqlite3_exec(db, "CREATE TABLE p (x)", NULL, NULL, NULL);
	code("migc_up with a failing statement", m, migc_up(m, MIGC_LATEST), MIGC_ERROR, "0001_tables.sql:1:14: table p already exists (statement 1 of 4)");
	sqlite3_exec(db, "DROP TABLE p", NULL, NULL, NULL);

	/* MIGC_INPUT for what the arguments ask. */
	migc_set_single_transaction(m, 1);
	code("migc_up in a single transaction over a no-transaction migration", m, migc_up(m, MIGC_LATEST), MIGC_INPUT,
	     "a single transaction (migc_set_single_transaction) cannot include 0003_index.sql: it is a no-transaction migration");
	migc_set_single_transaction(m, 0);
	code("migc_up_dry_run to an unknown version", m, migc_up_dry_run(m, 42), MIGC_INPUT, "no migration has version 42");
	code("migc_redo with nothing applied", m, migc_redo(m), MIGC_INPUT, "no migration is applied");
	code("migc_baseline to an unknown version", m, migc_baseline(m, 42), MIGC_INPUT, "no migration has version 42");
	code("migc_repair of neither kind", m, migc_repair(m, 99, 0), MIGC_INPUT, "say what to repair");
	code("migc_repair(CLEAR_FAILED) without a failed record", m, migc_repair(m, MIGC_REPAIR_CLEAR_FAILED, 1), MIGC_INPUT, "has no failed record");
	code("migc_down to an unknown version", m, migc_down(m, 0, 42), MIGC_INPUT, "no migration has version 42");
	code("migc_verify_schema with nothing applied", m, migc_verify_schema(m, &drift, &n), MIGC_VERIFY, "no migration is applied");
	code("migc_up(m, 1)", m, migc_up(m, 1), MIGC_OK, "");
	code("migc_baseline on a database with a migration applied", m, migc_baseline(m, 1), MIGC_INPUT, "needs a database with no applied migrations");

	/* MIGC_VERIFY: the applied migration was edited. */
	sqlite3_exec(db, "UPDATE migc_migrations SET checksum = 'c1:0' WHERE version = 1", NULL, NULL, NULL);
	code("migc_verify of an edited migration", m, migc_verify(m), MIGC_VERIFY, "0001_tables.sql was edited after it was applied");
	code("migc_up over it", m, migc_up(m, MIGC_LATEST), MIGC_VERIFY, "0001_tables.sql was edited");
	code("migc_up_dry_run over it", m, migc_up_dry_run(m, MIGC_LATEST), MIGC_VERIFY, "0001_tables.sql was edited");
	code("migc_down over it", m, migc_down(m, 1, 0), MIGC_VERIFY, "0001_tables.sql was edited");
	code("migc_redo over it", m, migc_redo(m), MIGC_VERIFY, "0001_tables.sql was edited");
	code("migc_status of it", m, migc_status(m, &states, &n), MIGC_OK, "");
	check(n == 3 && states[0].kind == MIGC_EDITED, "... which reads as edited", "another state");
	migc_free(states);
	code("migc_repair(ACCEPT_CHECKSUMS)", m, migc_repair(m, MIGC_REPAIR_ACCEPT_CHECKSUMS, 0), MIGC_OK, "");
	code("migc_verify after it", m, migc_verify(m), MIGC_OK, "");
	migc_close(m);
	sqlite3_close(db);
}

/* MIGC_NOMEM: without a handle when the handle itself cannot be had,
** else a failed handle. */
static void
nomem(const char *dir)
{
	sqlite3 *db;
	migc *m = (migc *)&db;
	int rc;

	failcalloc = 0;
	rc = migc_open(&m, "sqlite::memory:", &app_migrations, 0);
	failcalloc = -1;
	check(rc == MIGC_NOMEM && !m && strcmp(migc_errmsg(NULL), "out of memory") == 0,
	      "migc_open without memory for the handle is MIGC_NOMEM, *out NULL", m ? migc_errmsg(m) : "");
	db = freshdb(dir, "nomem.db");
	m = (migc *)&db;
	failcalloc = 0;
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	failcalloc = -1;
	check(rc == MIGC_NOMEM && !m, "migc_wrap_sqlite without memory for the handle is MIGC_NOMEM, *out NULL", "");
	sqlite3_close(db);
	failmalloc = 0;
	rc = migc_open(&m, "sqlite::memory:", &app_migrations, 0);
	failmalloc = -1;
	checkfailed("migc_open without memory after the handle", m, rc, MIGC_NOMEM, "out of memory");
}

int
main(int argc, char **argv)
{
	struct migc_state *states = NULL;
	const char *dir = argc == 2 ? argv[1] : NULL;
	sqlite3 *db;
	migc *m;
	size_t n = 0;
	int rc;

	if (!dir) {
		fprintf(stderr, "usage: api_test DIR\n");
		return 2;
	}

	check(inchild(closenull, NULL) == 0, "migc_close(NULL) and migc_free(NULL) are no-ops", "the child crashed");
	check(migc_interrupt(NULL) == MIGC_INPUT, "migc_interrupt(NULL) is MIGC_INPUT", "another code");

	check(strcmp(MIGC_VERSION, migc_libversion()) == 0 && versionnumber(MIGC_VERSION) == MIGC_VERSION_NUMBER,
	      "MIGC_VERSION is migc_libversion() (" MIGC_VERSION "), MIGC_VERSION_NUMBER its number", migc_libversion());
	check(inchild(reentry, NULL) == 0, "the event callback's calls on its own handle are MIGC_MISUSE; the run goes on", "see above");
	check(strcmp(migc_dialect(&app_migrations), "sqlite") == 0 && strcmp(migc_dialect(NULL), "") == 0,
	      "migc_dialect names the set's database by its driver; \"\" for NULL", migc_dialect(&app_migrations));
	check(inchild(driverdecides, NULL) == 0, "migc_open and migc_wrap_sqlite both go by the set's driver, not its dialect string", "see above");
	codes(dir);
	nomem(dir);

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	check(rc == MIGC_OK, "migc_wrap_sqlite on :memory:", migc_errmsg(m));

	rc = migc_set_table(m, "bad\nname");
	checkapimsg(m, rc, MIGC_INPUT, "invalid tracking table (migc_set_table) name",
	            "migc_set_table refuses a name with a control character");

	rc = migc_set_ddl_lock_timeout(m, 500);
	checkapimsg(m, rc, MIGC_INPUT, "migc_set_ddl_lock_timeout is for PostgreSQL",
	            "migc_set_ddl_lock_timeout on SQLite is MIGC_INPUT, naming it");
	check(migc_set_statement_timeout(m, 500) == MIGC_INPUT && migc_set_ddl_retries(m, 3) == MIGC_INPUT &&
	      migc_set_create_schema(m, 1) == MIGC_INPUT && strstr(migc_errmsg(m), "SQLite has no schemas"),
	      "migc_set_statement_timeout, migc_set_ddl_retries and migc_set_create_schema on SQLite are MIGC_INPUT",
	      migc_errmsg(m));

	migc_set_event(m, onevent, NULL);
	rc = migc_up(m, 2);
	check(rc == MIGC_OK && napplied == 2, "migc_up(m, 2) applies two migrations", migc_errmsg(m));
	check(queryint(db, "PRAGMA foreign_keys") == 1,
	      "foreign_keys is back on after a foreign-keys-off migration", "it is off");
	check(queryint(db, "SELECT count(*) FROM c JOIN p ON p.id = c.p") == 1,
	      "the rebuilt parent table keeps its rows", "join lost rows");

	rc = migc_status(m, &states, &n);
	check(rc == MIGC_OK && n == 3 && states[0].kind == MIGC_APPLIED && states[1].kind == MIGC_APPLIED &&
	      states[2].kind == MIGC_PENDING && states[0].statements_total == 4,
	      "migc_status lists two applied and one pending", migc_errmsg(m));
	check(rc == MIGC_OK && n == 3 && !states[0].problem && !states[1].problem && !states[2].problem,
	      "migc_status: no entry of a clean database is a problem", migc_errmsg(m));
	migc_free(states);

	/* One verdict: the entries status marks as problems are the ones
	** verify reports. */
	sqlite3_exec(db, "UPDATE migc_migrations SET checksum = 'c1:edited' WHERE version = 1; "
	             "INSERT INTO migc_migrations SELECT 99, 'later', checksum, raw_checksum, applied_at, execution_ms, "
	             "statements_done, statements_total, NULL, NULL, NULL, NULL FROM migc_migrations WHERE version = 2",
	             NULL, NULL, NULL);
	rc = migc_status(m, &states, &n);
	check(rc == MIGC_OK && n == 4 && states[0].kind == MIGC_EDITED && states[0].problem && !states[1].problem &&
	      states[2].kind == MIGC_OUT_OF_ORDER && states[2].problem && states[3].kind == MIGC_UNKNOWN &&
	      states[3].problem,
	      "migc_status marks the edited, the out-of-order and the unknown entry as problems, not the clean one",
	      migc_errmsg(m));
	migc_free(states);
	rc = migc_verify(m);
	check(rc == MIGC_VERIFY && strstr(migc_errmsg(m), "0001_tables.sql was edited") &&
	      strstr(migc_errmsg(m), "unknown: version 99") && strstr(migc_errmsg(m), "0003_index.sql is pending but older"),
	      "and migc_verify reports exactly those three", migc_errmsg(m));
	migc_set_allow_out_of_order(m, 1);
	rc = migc_status(m, &states, &n);
	check(rc == MIGC_OK && n == 4 && states[2].kind == MIGC_OUT_OF_ORDER && !states[2].problem,
	      "with migc_set_allow_out_of_order, the out-of-order entry is no problem", migc_errmsg(m));
	migc_free(states);
	rc = migc_verify(m);
	check(rc == MIGC_VERIFY && !strstr(migc_errmsg(m), "0003_index.sql"),
	      "and migc_verify no longer reports it", migc_errmsg(m));
	migc_set_allow_out_of_order(m, 0);
	{
		char *restore = sqlite3_mprintf("DELETE FROM migc_migrations WHERE version = 99; "
		                                "UPDATE migc_migrations SET checksum = %Q WHERE version = 1",
		                                migc_find(&app_migrations, 1)->checksum);

		sqlite3_exec(db, restore, NULL, NULL, NULL);
		sqlite3_free(restore);
	}

	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK && queryint(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c_p'") == 1,
	      "migc_up(m, MIGC_LATEST) runs the no-transaction migration", migc_errmsg(m));
	check(migc_verify(m) == MIGC_OK && strcmp(migc_errmsg(m), "") == 0, "migc_verify passes with an empty message",
	      migc_errmsg(m));

	rc = migc_down(m, 0, 1);
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "0002_rebuild_p.sql has no down migration"),
	      "migc_down refuses a migration without a down", migc_errmsg(m));
	check(queryint(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c_p'") == 1,
	      "and reverts nothing, not even the newer one that has a down", "c_p was dropped");

	rc = migc_down(m, 1, 0);
	check(rc == MIGC_OK && queryint(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'c_p'") == 0,
	      "migc_down(m, 1, 0) reverts one step", migc_errmsg(m));

	rc = migc_up(m, 42);
	checkapimsg(m, rc, MIGC_INPUT, "migc_up target version: no migration has version 42",
	            "migc_up to an unknown version is MIGC_INPUT");

	migc_close(m);
	check(queryint(db, "SELECT count(*) FROM migc_migrations") == 2,
	      "migc_close leaves the application's connection open", "connection closed");
	sqlite3_close(db);

	rc = migc_open(&m, "sqlite::memory:", &app_migrations, 0);
	if (rc == MIGC_OK)
		rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK, "migc_open(\"sqlite::memory:\") and up", migc_errmsg(m));
	migc_close(m);

	apinames(dir);

	/* The set names its driver: none, or another database's, is refused. */
	{
		struct migc_set other = app_migrations;

		other.driver = NULL;
		rc = migc_open(&m, "sqlite::memory:", &other, 0);
		check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "names no database driver"),
		      "migc_open of a set without a driver is MIGC_INPUT", migc_errmsg(m));
		migc_close(m);
		other.dialect = "postgres";
		other.driver = &migc_driver_postgres;
		sqlite3_open(":memory:", &db);
		rc = migc_wrap_sqlite(&m, db, &other);
		check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "is not a sqlite set"),
		      "migc_wrap_sqlite of a postgres set is MIGC_INPUT", migc_errmsg(m));
		migc_close(m);
		check(queryint(db, "SELECT count(*) FROM sqlite_schema") == 0,
		      "... and leaves the database untouched", "tables were created");
		sqlite3_close(db);
	}

	/* Migrations run with foreign keys off; the application's own setting,
	** off or on, is what its connection has afterwards. */
	sqlite3_open(":memory:", &db);
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	if (rc == MIGC_OK)
		rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK && queryint(db, "PRAGMA foreign_keys") == 0,
	      "an application's foreign_keys = OFF stays off after up", rc ? migc_errmsg(m) : "it is on");
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (rc == MIGC_OK)
		rc = migc_down(m, 1, 0);
	check(rc == MIGC_OK && queryint(db, "PRAGMA foreign_keys") == 1,
	      "an application's foreign_keys = ON is on again after down", rc ? migc_errmsg(m) : "it is off");
	migc_close(m);
	sqlite3_close(db);

	/* A handle that failed to open or wrap stays failed (issue 12, item 9). */
	rc = migc_open(&m, "sqlite:/nonexistent-dir/x.db", &app_migrations, 0);
	checkfailed("migc_open of an impossible path", m, rc, MIGC_ERROR, "cannot open sqlite database /nonexistent-dir/x.db");
	rc = migc_open(&m, "postgres://migc@127.0.0.1:1/x", &app_migrations, 0);
	checkfailed("migc_open of a postgres URL for a sqlite set", m, rc, MIGC_INPUT, "generated for sqlite, not for a postgres database");
	rc = migc_open(&m, "sqlite::memory:", NULL, 0);
	checkfailed("migc_open with a NULL set", m, rc, MIGC_INPUT, "record layout");
	{
		struct migc_set pgset = app_migrations;

		/* The runtime sees a postgres set by its dialect and driver. */
		pgset.dialect = "postgres";
		pgset.driver = &migc_driver_postgres;
		db = freshdb(dir, "wrap-pgset.db");
		rc = migc_wrap_sqlite(&m, db, &pgset);
		checkfailed("migc_wrap_sqlite of a postgres set", m, rc, MIGC_INPUT, "is not a sqlite set");
		check(queryint(db, "SELECT count(*) FROM sqlite_schema") == 0,
		      "... and no call on that handle applies the postgres set to the SQLite file", "tables were created");
		sqlite3_close(db);
	}
	rc = migc_wrap_sqlite(&m, NULL, &app_migrations);
	checkfailed("migc_wrap_sqlite of a NULL connection", m, rc, MIGC_INPUT, "NULL");
	db = freshdb(dir, "wrap-noset.db");
	rc = migc_wrap_sqlite(&m, db, NULL);
	checkfailed("migc_wrap_sqlite with a NULL set", m, rc, MIGC_INPUT, "record layout");
	check(queryint(db, "SELECT count(*) FROM sqlite_schema") == 0, "... and leaves the file empty", "tables were created");
	sqlite3_close(db);

	/* NULL arguments: refused, and a working handle keeps working. */
	db = freshdb(dir, "nullargs.db");
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	check(rc == MIGC_OK && inchild(nullargs, m) == 0,
	      "NULL handles and NULL arguments are MIGC_INPUT, setters on NULL do nothing, no crash", "see above");
	migc_close(m);
	sqlite3_close(db);

	/* The application's connection inside its own transaction: refused,
	** and its uncommitted work stays its own. */
	db = freshdb(dir, "apptx.db");
	sqlite3_exec(db, "CREATE TABLE app (x); BEGIN; INSERT INTO app VALUES (1)", NULL, NULL, NULL);
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	checkfailed("migc_wrap_sqlite of a connection inside a transaction", m, rc, MIGC_INPUT, "inside a transaction");
	check(!sqlite3_get_autocommit(db) && queryint(db, "SELECT count(*) FROM app") == 1,
	      "... and the application's transaction is still open, its row in it", "it was ended");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	check(rc == MIGC_OK, "migc_wrap_sqlite of the same connection once idle", migc_errmsg(m));
	sqlite3_exec(db, "BEGIN; INSERT INTO app VALUES (2)", NULL, NULL, NULL);
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "inside a transaction"),
	      "migc_up while the application has a transaction open is MIGC_INPUT", migc_errmsg(m));
	check(!sqlite3_get_autocommit(db) && queryint(db, "SELECT count(*) FROM app") == 1,
	      "... and leaves that transaction open with its row", "it was ended");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	check(queryint(db, "SELECT count(*) FROM app") == 0 &&
	      queryint(db, "SELECT count(*) FROM sqlite_schema WHERE name <> 'app'") == 0,
	      "... the application's rollback removes its row, and nothing of the migrations was applied", "rows or tables left");
	rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK && queryint(db, "SELECT count(*) FROM migc_migrations") == 3,
	      "once the transaction is over the same handle migrates", migc_errmsg(m));
	migc_close(m);
	sqlite3_close(db);
	return nfail ? 1 : 0;
}
