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
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "invalid tracking table (--table) name"),
	      "migc_set_table refuses a name with a control character", migc_errmsg(m));

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
	check(rc == MIGC_INPUT && strstr(migc_errmsg(m), "no migration has version 42"),
	      "migc_up to an unknown version is MIGC_INPUT", migc_errmsg(m));

	migc_close(m);
	check(queryint(db, "SELECT count(*) FROM migc_migrations") == 2,
	      "migc_close leaves the application's connection open", "connection closed");
	sqlite3_close(db);

	rc = migc_open(&m, "sqlite::memory:", &app_migrations, 0);
	if (rc == MIGC_OK)
		rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK, "migc_open(\"sqlite::memory:\") and up", migc_errmsg(m));
	migc_close(m);

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
