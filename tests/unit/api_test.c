/*
** api_test.c: the embedding API on a connection the application holds:
** an in-memory database, migrated with migc_wrap_sqlite(). Linked with
** the set generated from tests/api/ as app_migrations.
*/
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "migc.h"

extern const struct migc_set app_migrations;

static int nfail;
static int napplied;

static void
check(int ok, const char *name, const char *detail)
{
	if (ok) {
		printf("[PASS] api: %s\n", name);
	} else {
		printf("[FAIL] api: %s: %s\n", name, detail);
		nfail++;
	}
}

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

int
main(void)
{
	struct migc_state *states = NULL;
	sqlite3 *db;
	migc *m;
	size_t n = 0;
	int rc;

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

	rc = migc_open(&m, "sqlite:/nonexistent-dir/x.db", &app_migrations, 0);
	check(rc == MIGC_ERROR && strstr(migc_errmsg(m), "cannot open sqlite database /nonexistent-dir/x.db"),
	      "migc_open of an impossible path is MIGC_ERROR with a message", migc_errmsg(m));
	migc_close(m);
	return nfail ? 1 : 0;
}
