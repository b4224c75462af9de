/*
** pgsession.c: what a PostgreSQL up or down run remembers of the session
** when it begins, kept as the SQL that puts it back. A migration's SET,
** set_config, SET ROLE, SET SESSION AUTHORIZATION, temporary tables,
** prepared statements and LISTENs stay on a connection and would change
** what the next migration does (client_encoding LATIN1 turns its 'café'
** into 'cafÃ©', session_replication_role = replica switches its triggers
** off); the driver runs the reset after each one, in the migration's own
** message before its tracking row, so each migration starts from the same
** state however many ran before it in the run.
**
** On a connection migc made the start state is known: the reset is what
** DISCARD ALL does, but for the migration lock, which DISCARD ALL would
** release (and which cannot run in a transaction). On an application's
** connection (migc_wrap_pg) the state is read once and the reset puts back
** exactly that: its settings, role and session user, and only the
** prepared statements, channels and temporary relations the run added go.
** During the run the session also has what migc's SQL was split for:
** client_encoding UTF8 and standard_conforming_strings on; the restore at
** the end gives those back too.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MIGC_POSTGRES
#include <libpq-fe.h>

#include "migc.h"
#include "internal.h"
#include "pgsession.h"

/* The snapshot of an application's session, each column ready to paste
** into the reset's PL/pgSQL: statements, or array literals. */
static const char snapshot[] =
	"SELECT pg_catalog.format('EXECUTE %L;', 'SET SESSION AUTHORIZATION ' || "
	"pg_catalog.quote_ident(pg_catalog.current_setting('session_authorization'))), "
	"CASE WHEN pg_catalog.current_setting('role') = 'none' THEN '' ELSE pg_catalog.format('EXECUTE %L;', "
	"'SET ROLE ' || pg_catalog.quote_ident(pg_catalog.current_setting('role'))) END, "
	"coalesce((SELECT pg_catalog.string_agg(pg_catalog.format('PERFORM pg_catalog.set_config(%L, %L, false);', "
	"name, setting), ' ' ORDER BY name) FROM pg_catalog.pg_settings "
	"WHERE source = 'session' AND name NOT LIKE 'transaction\\_%'), ''), "
	"pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(name) FROM pg_catalog.pg_prepared_statements "
	"WHERE name <> ''), '{}')::text), "
	"pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(c) FROM pg_catalog.pg_listening_channels() c), "
	"'{}')::text), "
	"pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(oid) FROM pg_catalog.pg_class "
	"WHERE relnamespace = pg_catalog.pg_my_temp_schema()), '{}')::text), "
	"pg_catalog.format('SET LOCAL SESSION AUTHORIZATION %I; SET LOCAL ROLE %s', "
	"pg_catalog.current_setting('session_authorization'), CASE WHEN pg_catalog.current_setting('role') = 'none' "
	"THEN 'NONE' ELSE pg_catalog.quote_ident(pg_catalog.current_setting('role')) END)";

/* The reset on a connection migc made: DISCARD ALL but the advisory lock. */
static const char discard[] =
	"EXECUTE 'SET SESSION AUTHORIZATION DEFAULT'; EXECUTE 'RESET ALL'; EXECUTE 'DEALLOCATE ALL'; "
	"EXECUTE 'UNLISTEN *'; EXECUTE 'DISCARD TEMP'; EXECUTE 'DISCARD SEQUENCES'; EXECUTE 'CLOSE ALL';";

/* What the tracking writes between a no-transaction migration's
** statements begin with, after the session's authorization and role. */
static const char guardtail[] =
	"; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; "
	"SET LOCAL idle_in_transaction_session_timeout = 0";

/* A malloc'd string from fmt, or NULL. */
static char *
format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = malloc((size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* body as a DO block, quoted with a dollar tag that body does not hold
** (a setting's value could hold any text). */
static char *
doblock(const char *body)
{
	char tag[32];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(tag, sizeof(tag), "$migc%d$", i);
		if (!strstr(body, tag))
			return format("DO %s DECLARE r record; BEGIN %s END %s", tag, body, tag);
	}
	return NULL;
}

/* The statements giving the session what migc's SQL was split for, for a
** session that has client_encoding enc and standard_conforming_strings scs. */
static const char *
needs(const char *enc, const char *scs, int plpgsql)
{
	int utf8 = enc && strcmp(enc, "UTF8") == 0, on = scs && strcmp(scs, "on") == 0;

	if (utf8 && on)
		return "";
	if (utf8)
		return plpgsql ? "EXECUTE 'SET standard_conforming_strings = on';" : "SET standard_conforming_strings = on";
	if (on)
		return plpgsql ? "EXECUTE 'SET client_encoding = ''UTF8''';" : "SET client_encoding = 'UTF8'";
	return plpgsql ? "EXECUTE 'SET client_encoding = ''UTF8'''; EXECUTE 'SET standard_conforming_strings = on';"
	               : "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on";
}

void
pgsessionfree(struct pgsession *s)
{
	free(s->reset);
	free(s->restore);
	free(s->guard);
	s->reset = s->restore = s->guard = NULL;
}

/* The reset and restore of an application's session, from the snapshot. */
static int
fromsnapshot(migc *m, PGconn *c, const char *need, struct pgsession *s)
{
	PGresult *res = PQexec(c, snapshot);
	char *body = NULL;
	int rc = MIGC_OK;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		rc = seterr(m, MIGC_ERROR, "cannot read the session's state: %s", PQerrorMessage(c));
		PQclear(res);
		return rc;
	}
	body = format("EXECUTE 'SET SESSION AUTHORIZATION DEFAULT'; EXECUTE 'RESET ALL'; %s %s %s "
	              "FOR r IN SELECT name FROM pg_catalog.pg_prepared_statements WHERE name <> '' "
	              "AND name <> ALL (%s::text[]) LOOP EXECUTE pg_catalog.format('DEALLOCATE %%I', r.name); END LOOP; "
	              "FOR r IN SELECT c FROM pg_catalog.pg_listening_channels() c WHERE c <> ALL (%s::text[]) "
	              "LOOP EXECUTE pg_catalog.format('UNLISTEN %%I', r.c); END LOOP; "
	              "FOR r IN SELECT oid, relkind FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema() "
	              "AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND oid <> ALL (%s::oid[]) LOOP "
	              "IF EXISTS (SELECT FROM pg_catalog.pg_class WHERE oid = r.oid) THEN "
	              "EXECUTE pg_catalog.format('DROP %%s IF EXISTS %%s CASCADE', CASE r.relkind WHEN 'v' THEN 'VIEW' "
	              "WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' "
	              "ELSE 'TABLE' END, r.oid::regclass); END IF; END LOOP;",
	              PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 1),
	              PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5));
	s->guard = format("BEGIN READ WRITE; %s%s", PQgetvalue(res, 0, 6), guardtail);
	PQclear(res);
	if (body) {
		char *withneeds = format("%s %s", body, need);

		s->restore = doblock(body);
		s->reset = withneeds ? doblock(withneeds) : NULL;
		free(withneeds);
		free(body);
	}
	if (!s->reset || !s->restore || !s->guard) {
		pgsessionfree(s);
		return seterr(m, MIGC_NOMEM, "out of memory");
	}
	return MIGC_OK;
}

int
pgsessionsave(migc *m, PGconn *c, int owned, struct pgsession *s)
{
	const char *enc = PQparameterStatus(c, "client_encoding");
	const char *scs = PQparameterStatus(c, "standard_conforming_strings");
	const char *now = needs(enc, scs, 0);
	int rc = MIGC_OK;

	s->reset = s->restore = s->guard = NULL;
	if (owned) {
		char *body = format("%s %s", discard, needs(enc, scs, 1));

		s->reset = body ? doblock(body) : NULL;
		s->restore = s->reset ? format("%s", s->reset) : NULL;
		s->guard = format("BEGIN READ WRITE; SET LOCAL SESSION AUTHORIZATION DEFAULT%s", guardtail);
		free(body);
		if (!s->reset || !s->restore || !s->guard) {
			pgsessionfree(s);
			return seterr(m, MIGC_NOMEM, "out of memory");
		}
	} else {
		rc = fromsnapshot(m, c, needs(enc, scs, 1), s);
	}
	if (rc == MIGC_OK && *now) {
		PGresult *res = PQexec(c, now);

		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = seterr(m, MIGC_ERROR, "cannot set up the session: %s", PQerrorMessage(c));
		PQclear(res);
		if (rc != MIGC_OK)
			pgsessionfree(s);
	}
	return rc;
}
#endif
