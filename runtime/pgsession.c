/*
** pgsession.c: what a PostgreSQL up or down run remembers of the session
** when it begins, kept as the SQL that puts it back. A migration's SET,
** set_config, SET ROLE, SET SESSION AUTHORIZATION, temporary tables,
** cursors, prepared statements and LISTENs stay on a connection and would
** change what the next migration does (client_encoding LATIN1 turns its
** 'café' into 'cafÃ©', session_replication_role = replica switches its
** triggers off); the driver runs the reset after each one, in the
** migration's own message before its tracking row, so each migration
** starts from the same state however many ran before it in the run.
**
** On a connection migc made the start state is known: the reset is what
** DISCARD ALL does, in plain statements, but for the migration lock,
** which DISCARD ALL would release, and then client_encoding UTF8 and
** standard_conforming_strings on again (a pooler's RESET ALL may change
** them). On an application's connection
** (migc_wrap_pg) the state is read once, in UTF-8, and a PL/pgSQL block
** puts back exactly that: its settings (those a migration added are
** reset one by one, not with RESET ALL, which would lose the
** application's own custom ones such as myapp.tenant), its session user
** and role, and only the cursors, prepared statements, channels and
** temporary relations the run added go. In a database without PL/pgSQL
** only the settings, session user and role are put back. During a run
** the session has what migc's SQL was split for, client_encoding UTF8 and
** standard_conforming_strings on; the restore at the end gives the
** application its own. Each reset starts by lifting the migration's
** statement and lock timeouts, under which it would otherwise run.
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
#include "text.h"

/* What every reset starts with: the migration's timeouts lifted. */
#define NOTIMEOUTS "SET statement_timeout = 0; SET lock_timeout = 0; "
#define NNOTIMEOUTS 2

/* The reset on a connection migc made: DISCARD ALL but the advisory
** lock, cursors closed before the temporary tables they may read. */
static const char discard[] =
	NOTIMEOUTS "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; "
	"CLOSE ALL; DEALLOCATE ALL; UNLISTEN *; DISCARD TEMP; DISCARD SEQUENCES";
#define NDISCARD (NNOTIMEOUTS + 7)

/* What the tracking writes between a no-transaction migration's
** statements begin with, after the session's authorization and role. */
static const char guardtail[] =
	"; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0; "
	"SET LOCAL idle_in_transaction_session_timeout = 0";

/* A growing string of statements (text.h: check t.nomem at the end). */
struct str {
	struct migc__text t;
	int nstmts;     /* statements added by addstmt or counted by hand */
};

static void
add(struct str *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	migc__textvprintf(&b->t, fmt, ap);
	va_end(ap);
}

/* add() of s as a literal, or identifier (ident), quoted by libpq. */
static void
addquoted(struct str *b, PGconn *c, const char *s, int ident)
{
	char *q = ident ? PQescapeIdentifier(c, s, strlen(s)) : PQescapeLiteral(c, s, strlen(s));

	if (!q)
		b->t.nomem = 1;
	else
		add(b, "%s", q);
	PQfreemem(q);
}

/* add() of the statement "fmt arg" as a PL/pgSQL EXECUTE (plpgsql) or as
** it is; arg is quoted as an identifier (ident) or a literal. */
static void
addstmt(struct str *b, PGconn *c, int plpgsql, const char *fmt, const char *arg, int ident)
{
	struct str one = { { NULL, 0, 0, 0 }, 0 };

	add(&one, "%s", fmt);
	if (arg)
		addquoted(&one, c, arg, ident);
	if (one.t.nomem) {
		b->t.nomem = 1;
	} else if (plpgsql) {
		add(b, "EXECUTE ");
		addquoted(b, c, one.t.s, 0);
		add(b, "; ");
	} else {
		add(b, "%s; ", one.t.s);
	}
	b->nstmts++;
	free(one.t.s);
}

void
migc__pgsessionfree(struct pgsession *s)
{
	free(s->reset);
	free(s->restore);
	free(s->guard);
	s->reset = s->restore = s->guard = NULL;
	s->nreset = 0;
}

/* The session an application's connection had, read in UTF-8. */
struct snapshot {
	PGresult *who;          /* session_authorization, role */
	PGresult *settings;     /* name, setting: what SET changed */
	PGresult *made;         /* cursors, prepared statements, channels, temporary relations: array literals */
	char enc[64], scs[8];   /* client_encoding and standard_conforming_strings before the run */
	int encset, scsset;     /* ... were the session's own (SET), not the connection's defaults */
	int plpgsql;            /* the database has PL/pgSQL */
};

static const char beforeutf8[] =
	"SELECT (SELECT source = 'session' FROM pg_catalog.pg_settings WHERE name = 'client_encoding'), "
	"(SELECT source = 'session' FROM pg_catalog.pg_settings WHERE name = 'standard_conforming_strings'), "
	"EXISTS (SELECT FROM pg_catalog.pg_language WHERE lanname = 'plpgsql')";

static const char settingsquery[] =
	"SELECT name, setting FROM pg_catalog.pg_settings WHERE source = 'session' "
	"AND name NOT LIKE 'transaction\\_%' AND name NOT IN ('client_encoding', 'standard_conforming_strings') "
	"ORDER BY name";

static const char madequery[] =
	"SELECT pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(name) FROM pg_catalog.pg_cursors WHERE is_holdable), '{}')::text), "
	"pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(name) FROM pg_catalog.pg_prepared_statements "
	"WHERE name <> ''), '{}')::text), "
	"pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(c) FROM pg_catalog.pg_listening_channels() c), "
	"'{}')::text), "
	"pg_catalog.quote_literal(coalesce((SELECT pg_catalog.array_agg(oid) FROM pg_catalog.pg_class "
	"WHERE relnamespace = pg_catalog.pg_my_temp_schema()), '{}')::text)";

static PGresult *
query(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	PQclear(res);
	return NULL;
}

/* The settings the reset gives the session: the run's (UTF8 and on), or
** at the end the application's own. */
static void
addencoding(struct str *b, PGconn *c, const struct snapshot *sn, int final)
{
	if (!final) {
		addstmt(b, c, sn->plpgsql, "SET client_encoding = 'UTF8'", NULL, 0);
		addstmt(b, c, sn->plpgsql, "SET standard_conforming_strings = on", NULL, 0);
		return;
	}
	if (sn->encset)
		addstmt(b, c, sn->plpgsql, "SET client_encoding = ", sn->enc, 0);
	else
		addstmt(b, c, sn->plpgsql, "RESET client_encoding", NULL, 0);
	if (sn->scsset)
		addstmt(b, c, sn->plpgsql, "SET standard_conforming_strings = ", sn->scs, 0);
	else
		addstmt(b, c, sn->plpgsql, "RESET standard_conforming_strings", NULL, 0);
}

/* Back to the snapshot: settings (as the authenticated user, who may set
** what the session user may not), session user, role. */
static void
addsettings(struct str *b, PGconn *c, const struct snapshot *sn, int final)
{
	int i, n = PQntuples(sn->settings);

	addstmt(b, c, sn->plpgsql, "SET SESSION AUTHORIZATION DEFAULT", NULL, 0);
	if (sn->plpgsql) {
		add(b, "FOR r IN SELECT name FROM pg_catalog.pg_settings WHERE source = 'session' "
		    "AND name NOT LIKE 'transaction\\_%%' AND name <> ALL (ARRAY[");
		for (i = 0; i < n; i++) {
			add(b, i ? ", " : "");
			addquoted(b, c, PQgetvalue(sn->settings, i, 0), 0);
		}
		add(b, "]::text[]) LOOP EXECUTE pg_catalog.format('RESET %%I', r.name); END LOOP; ");
	}
	for (i = 0; i < n; i++) {
		add(b, i ? ", " : sn->plpgsql ? "PERFORM " : "SELECT ");
		add(b, "pg_catalog.set_config(");
		addquoted(b, c, PQgetvalue(sn->settings, i, 0), 0);
		add(b, ", ");
		addquoted(b, c, PQgetvalue(sn->settings, i, 1), 0);
		add(b, ", false)");
	}
	if (n) {
		add(b, "; ");
		b->nstmts++;
	}
	addencoding(b, c, sn, final);
	addstmt(b, c, sn->plpgsql, "SET SESSION AUTHORIZATION ", PQgetvalue(sn->who, 0, 0), 1);
	if (strcmp(PQgetvalue(sn->who, 0, 1), "none") != 0)
		addstmt(b, c, sn->plpgsql, "SET ROLE ", PQgetvalue(sn->who, 0, 1), 1);
}

/* PL/pgSQL: drop what the run added of cursors, prepared statements,
** channels and temporary relations. */
static void
addmade(struct str *b, const struct snapshot *sn)
{
	add(b, "FOR r IN SELECT name FROM pg_catalog.pg_cursors WHERE is_holdable AND name <> ALL (%s::text[]) "
	    "LOOP EXECUTE pg_catalog.format('CLOSE %%I', r.name); END LOOP; "
	    "FOR r IN SELECT name FROM pg_catalog.pg_prepared_statements WHERE name <> '' AND name <> ALL (%s::text[]) "
	    "LOOP EXECUTE pg_catalog.format('DEALLOCATE %%I', r.name); END LOOP; "
	    "FOR r IN SELECT c AS name FROM pg_catalog.pg_listening_channels() c WHERE c <> ALL (%s::text[]) "
	    "LOOP EXECUTE pg_catalog.format('UNLISTEN %%I', r.name); END LOOP; "
	    "FOR r IN SELECT oid, relkind FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema() "
	    "AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND oid <> ALL (%s::oid[]) ORDER BY oid DESC LOOP "
	    "IF EXISTS (SELECT FROM pg_catalog.pg_class WHERE oid = r.oid) THEN "
	    "EXECUTE pg_catalog.format('DROP %%s IF EXISTS %%s CASCADE', CASE r.relkind WHEN 'v' THEN 'VIEW' "
	    "WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' "
	    "ELSE 'TABLE' END, r.oid::regclass); END IF; END LOOP; ",
	    PQgetvalue(sn->made, 0, 0), PQgetvalue(sn->made, 0, 1), PQgetvalue(sn->made, 0, 2),
	    PQgetvalue(sn->made, 0, 3));
}

/* The reset (final: the restore) of an application's session. With
** PL/pgSQL: the timeouts lifted, then one DO block whose dollar tag its
** text does not hold (a setting can hold any text). *n: statements. */
static char *
wrappedsql(PGconn *c, const struct snapshot *sn, int final, int *n)
{
	struct str body = { { NULL, 0, 0, 0 }, 0 }, out = { { NULL, 0, 0, 0 }, 0 };
	char tag[32];
	int i;

	add(&body, "%s", "");    /* body.t.s is a string even if nothing follows */
	addsettings(&body, c, sn, final);
	if (sn->plpgsql)
		addmade(&body, sn);
	add(&out, "%s", NOTIMEOUTS);
	if (!sn->plpgsql) {
		add(&out, "%s", !body.t.nomem ? body.t.s : "");
		*n = NNOTIMEOUTS + body.nstmts;
	} else {
		for (i = 0; !body.t.nomem; i++) {
			snprintf(tag, sizeof(tag), "$migc%d$", i);
			if (!strstr(body.t.s, tag))
				break;
		}
		add(&out, "DO %s DECLARE r record; BEGIN %s END %s", tag, !body.t.nomem ? body.t.s : "", tag);
		*n = NNOTIMEOUTS + 1;
	}
	free(body.t.s);
	if (body.t.nomem || out.t.nomem) {
		free(out.t.s);
		return NULL;
	}
	return out.t.s;
}

/* Read an application's session, after giving it UTF-8. */
static int
snapshot(migc *m, PGconn *c, struct snapshot *sn)
{
	const char *enc = PQparameterStatus(c, "client_encoding");
	const char *scs = PQparameterStatus(c, "standard_conforming_strings");
	PGresult *res = query(c, beforeutf8);

	memset(sn, 0, sizeof(*sn));
	snprintf(sn->enc, sizeof(sn->enc), "%s", enc ? enc : "UTF8");
	snprintf(sn->scs, sizeof(sn->scs), "%s", scs ? scs : "on");
	if (!res)
		return migc__seterr(m, MIGC_ERROR, "cannot read the session's state: %s", PQerrorMessage(c));
	sn->encset = PQgetvalue(res, 0, 0)[0] == 't';
	sn->scsset = PQgetvalue(res, 0, 1)[0] == 't';
	sn->plpgsql = PQgetvalue(res, 0, 2)[0] == 't';
	PQclear(res);
	res = PQexec(c, "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on");
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		return migc__seterr(m, MIGC_ERROR, "cannot set up the session: %s", PQerrorMessage(c));
	}
	PQclear(res);
	sn->who = query(c, "SELECT pg_catalog.current_setting('session_authorization'), pg_catalog.current_setting('role')");
	sn->settings = query(c, settingsquery);
	sn->made = query(c, madequery);
	if (!sn->who || !sn->settings || !sn->made) {
		int rc = migc__seterr(m, MIGC_ERROR, "cannot read the session's state: %s", PQerrorMessage(c));
		struct str back = { { NULL, 0, 0, 0 }, 0 };
		int plpgsql = sn->plpgsql;

		/* Give the application its encoding back. */
		sn->plpgsql = 0;
		addencoding(&back, c, sn, 1);
		sn->plpgsql = plpgsql;
		if (!back.t.nomem)
			PQclear(PQexec(c, back.t.s));
		free(back.t.s);
		return rc;
	}
	return MIGC_OK;
}

static void
snapshotfree(struct snapshot *sn)
{
	PQclear(sn->who);
	PQclear(sn->settings);
	PQclear(sn->made);
}

/* The guard of a tracking write on an application's connection. */
static char *
wrappedguard(PGconn *c, const struct snapshot *sn)
{
	struct str g = { { NULL, 0, 0, 0 }, 0 };

	add(&g, "BEGIN READ WRITE; SET LOCAL SESSION AUTHORIZATION ");
	addquoted(&g, c, PQgetvalue(sn->who, 0, 0), 1);
	add(&g, "; SET LOCAL ROLE ");
	if (strcmp(PQgetvalue(sn->who, 0, 1), "none") == 0)
		add(&g, "NONE");
	else
		addquoted(&g, c, PQgetvalue(sn->who, 0, 1), 1);
	add(&g, "%s", guardtail);
	if (g.t.nomem) {
		free(g.t.s);
		return NULL;
	}
	return g.t.s;
}

int
migc__pgsessionsave(migc *m, PGconn *c, int owned, struct pgsession *s)
{
	int rc = MIGC_OK, nrestore;

	memset(s, 0, sizeof(*s));
	if (owned) {
		/* Its client_encoding is UTF8 from the start, which RESET ALL
		** keeps on a direct connection; through a pooler, RESET ALL
		** gives the server session's own (the database's encoding),
		** which the pooler and libpq then take for the client's: the
		** reset sets both of what migc's SQL needs itself. */
		const char *scs = PQparameterStatus(c, "standard_conforming_strings");
		int off = !scs || strcmp(scs, "on") != 0;
		struct str r = { { NULL, 0, 0, 0 }, 0 }, g = { { NULL, 0, 0, 0 }, 0 };

		add(&r, "%s; SET client_encoding = 'UTF8'; SET standard_conforming_strings = on", discard);
		s->nreset = NDISCARD + 2;
		add(&g, "BEGIN READ WRITE; SET LOCAL SESSION AUTHORIZATION DEFAULT%s", guardtail);
		s->reset = !r.t.nomem ? r.t.s : NULL;
		s->restore = !r.t.nomem ? migc__strdup(r.t.s) : NULL;
		s->guard = !g.t.nomem ? g.t.s : NULL;
		if (r.t.nomem)
			free(r.t.s);
		if (g.t.nomem)
			free(g.t.s);
		if (!s->reset || !s->restore || !s->guard) {
			migc__pgsessionfree(s);
			return migc__seterr(m, MIGC_NOMEM, "out of memory");
		}
		if (off) {
			PGresult *res = PQexec(c, "SET standard_conforming_strings = on");

			if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
				rc = migc__seterr(m, MIGC_ERROR, "cannot set up the session: %s", PQerrorMessage(c));
			PQclear(res);
		}
	} else {
		struct snapshot sn;

		rc = snapshot(m, c, &sn);
		if (rc == MIGC_OK) {
			s->reset = wrappedsql(c, &sn, 0, &s->nreset);
			s->restore = wrappedsql(c, &sn, 1, &nrestore);
			s->guard = wrappedguard(c, &sn);
			if (!s->reset || !s->restore || !s->guard)
				rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
		}
		snapshotfree(&sn);
	}
	if (rc != MIGC_OK)
		migc__pgsessionfree(s);
	return rc;
}
#endif
