/*
** session_test.c: an application's own connection (migc_wrap_sqlite,
** migc_wrap_pg) ends a run of migrations with exactly the state it had:
** its settings, attached databases, temporary tables, prepared statements
** and channels, while those the migrations set or made are gone, and the
** migrations ran under migc's settings (UTF-8) whatever the application's.
** Linked with the sets generated from tests/unit/session-sqlite/ (as
** session_sqlite) and, given a URL as argv[1], tests/unit/session-pg/
** (session_pg).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#ifdef MIGC_POSTGRES
#include <libpq-fe.h>
#endif

#include "migc.h"
#include "testlib.h"

extern const struct migc_set session_sqlite;



/* The text of the first column of the first row of sql, in out. */
const char testname[] = "session api";

static const char *
sqltext(sqlite3 *db, const char *sql, char out[256])
{
	sqlite3_stmt *st;

	snprintf(out, 256, "(error)");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return out;
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, 256, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(null)");
	else
		snprintf(out, 256, "(none)");
	sqlite3_finalize(st);
	return out;
}

/* What the application's connection is set to. */
static const char sqlitestate[] =
	"SELECT (SELECT recursive_triggers FROM pragma_recursive_triggers) || ' ' || "
	"(SELECT cache_size FROM pragma_cache_size) || ' ' || (SELECT legacy_alter_table FROM pragma_legacy_alter_table) || ' ' || "
	"(SELECT query_only FROM pragma_query_only) || ' ' || (SELECT timeout FROM pragma_busy_timeout) || ' ' || "
	"(SELECT foreign_keys FROM pragma_foreign_keys) || ' ' || "
	"(SELECT group_concat(name) FROM (SELECT name FROM pragma_database_list ORDER BY name)) || ' ' || "
	"(SELECT group_concat(name) FROM (SELECT name FROM sqlite_temp_schema ORDER BY name))";

static void
sqlitecase(void)
{
	char before[256], after[256], text[256];
	sqlite3 *db;
	migc *m;
	int rc;

	sqlite3_open(":memory:", &db);
	sqlite3_exec(db, "PRAGMA recursive_triggers = ON; PRAGMA cache_size = -1234; PRAGMA busy_timeout = 777; "
	             "ATTACH ':memory:' AS appdb; CREATE TEMP TABLE app_tmp (x INTEGER)", NULL, NULL, NULL);
	sqltext(db, sqlitestate, before);
	rc = migc_wrap_sqlite(&m, db, &session_sqlite);
	if (rc == MIGC_OK)
		rc = migc_up(m, MIGC_LATEST);
	check(rc == MIGC_OK, "migc_up on the application's SQLite connection", migc_errmsg(m));
	sqltext(db, sqlitestate, after);
	check(strcmp(before, after) == 0, "its PRAGMAs, attached databases and temporary tables are as they were",
	      after);
	check(strcmp(sqltext(db, "SELECT attached FROM s3", text), "0") == 0,
	      "the no-transaction migration's ATTACH was gone for the next migration", text);
	migc_close(m);
	sqlite3_close(db);
}

#ifdef MIGC_POSTGRES
extern const struct migc_set session_pg;

static const char *
pgtext(PGconn *c, const char *sql, char out[1024])
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		snprintf(out, 1024, "%s", PQgetvalue(r, 0, 0));
	else
		snprintf(out, 1024, "(error: %s)", PQerrorMessage(c));
	PQclear(r);
	return out;
}

/* What the application's session is set to. */
static const char pgstate[] =
	"SELECT concat_ws(' | ', current_user, session_user, "
	"(SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE source = 'session'), "
	"(SELECT string_agg(name, ',' ORDER BY name) FROM pg_prepared_statements), "
	"(SELECT string_agg(c, ',' ORDER BY c) FROM pg_listening_channels() c), "
	"(SELECT string_agg(name, ',' ORDER BY name) FROM pg_cursors), "
	"(SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = pg_my_temp_schema()), "
	"current_setting('myapp.tenant', true))";

/* Migrate on the application's connection at url, set up by setup, whose
** migrations run as owner: its state comes back exactly. */
static void
pgcase(const char *url, const char *setup, const char *owner, const char *what)
{
	char before[1024], after[1024], text[1024], name[256];
	PGconn *c = PQconnectdb(url);
	PGresult *r;
	migc *m;
	int rc;

	if (PQstatus(c) != CONNECTION_OK) {
		check(0, "connect", PQerrorMessage(c));
		PQfinish(c);
		return;
	}
	r = PQexec(c, setup);
	check(PQresultStatus(r) == PGRES_COMMAND_OK, "the application's session is set up", PQerrorMessage(c));
	PQclear(r);
	pgtext(c, pgstate, before);
	rc = migc_wrap_pg(&m, c, &session_pg);
	if (rc == MIGC_OK)
		rc = migc_up(m, MIGC_LATEST);
	snprintf(name, sizeof(name), "migc_up on the application's PostgreSQL connection (%s)", what);
	check(rc == MIGC_OK, name, migc_errmsg(m));
	pgtext(c, pgstate, after);
	check(strcmp(before, after) == 0, "its settings (a custom one too), session user and role, cursors, prepared "
	      "statements, channels and temporary tables are as they were", after);
	check(strcmp(PQparameterStatus(c, "client_encoding"), "LATIN1") == 0, "libpq sees its client_encoding again",
	      PQparameterStatus(c, "client_encoding"));
	check(strcmp(pgtext(c, "SELECT octet_length(s)::text FROM p2", text), "5") == 0,
	      "the migrations ran in UTF-8 whatever the application's encoding ('caf\\303\\251' is 5 bytes)", text);
	check(strcmp(pgtext(c, "SELECT tableowner::text FROM pg_tables WHERE tablename = 'p2'", text), owner) == 0,
	      "the migrations ran as the application's role", text);
	migc_close(m);
	PQfinish(c);
}
#endif

int
main(int argc, char **argv)
{
	sqlitecase();
#ifdef MIGC_POSTGRES
	/* A non-ASCII schema on the search_path, read in LATIN1; a custom
	** setting; a cursor; a role. */
	if (argc > 1)
		pgcase(argv[1], "CREATE SCHEMA \"caf\303\251\"; SET search_path = public, \"caf\303\251\", pg_temp; "
		       "SET DateStyle = 'SQL, DMY'; SET client_encoding = 'LATIN1'; SET work_mem = '8MB'; "
		       "SET myapp.tenant = '42'; SET ROLE migc_pw; CREATE TEMP TABLE app_tmp (x integer); "
		       "PREPARE app_p AS SELECT 2; LISTEN app_c; BEGIN; DECLARE app_cur CURSOR WITH HOLD FOR SELECT 3; COMMIT",
		       "migc_pw", "LATIN1, a custom setting, SET ROLE");
	/* A superuser's setting made before SET SESSION AUTHORIZATION to a
	** role that may not make it. */
	if (argc > 2)
		pgcase(argv[2], "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'migc_app') THEN "
		       "CREATE ROLE migc_app; END IF; END $$; GRANT CREATE ON SCHEMA public TO migc_app; "
		       "SET log_min_duration_statement = 0; SET client_encoding = 'LATIN1'; SET SESSION AUTHORIZATION migc_app",
		       "migc_app", "a superuser's setting, then SET SESSION AUTHORIZATION");
#else
	(void)argc;
	(void)argv;
#endif
	return nfail ? 1 : 0;
}
