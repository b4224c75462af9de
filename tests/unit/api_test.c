/*
** api_test.c: the embedding API on a connection the application holds:
** an in-memory database, migrated with migc_wrap_sqlite(). Linked with
** the set generated from tests/api/ as app_migrations; argv[1] is a
** directory for the test's SQLite files. Calls that crashed before
** their fix run in a child process, so that a crash fails its check
** instead of ending the test.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

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

	migc_close(NULL);
	migc_free(NULL);
	check(1, "migc_close(NULL) and migc_free(NULL) are no-ops", "");

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	rc = migc_wrap_sqlite(&m, db, &app_migrations);
	check(rc == MIGC_OK, "migc_wrap_sqlite on :memory:", migc_errmsg(m));

	rc = migc_set_table(m, "bad\nname");
	checkapimsg(m, rc, MIGC_INPUT, "invalid tracking table (migc_set_table) name",
	            "migc_set_table refuses a name with a control character");

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
	migc_free(states);

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
