/*
** pgexec.c: running a migration's statements on PostgreSQL, one at a
** time (pgexec) or, for a transactional migration, as one message: BEGIN,
** statements, session reset, row, COMMIT (pgapply). Errors map back to
** file:line:col; a COPY that wants client data is ended, never waited on.
*/
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"

#ifdef MIGC_POSTGRES
#include <libpq-fe.h>

#include "pgsession.h"
#include "pg.h"
#include "text.h"

/* Byte offset in s[0..n) of the 1-based character position pos (UTF-8). */
static long
charoffset(const char *s, size_t n, long pos)
{
	size_t i;
	long chars = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == pos)
			return (long)i;
	}
	return -1;
}

/* s past blanks and comments. */
static const char *
skipblank(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
			s++;
		if (s[0] == '-' && s[1] == '-') {
			s += strcspn(s, "\n");
		} else if (s[0] == '/' && s[1] == '*') {
			const char *end = strstr(s + 2, "*/");

			s = end ? end + 2 : s + strlen(s);
		} else {
			return s;
		}
	}
}

static int
identchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       (unsigned char)c >= 0x80;
}

/* Does p start with w (lower case), in any case? */
static int
startswith(const char *p, const char *w)
{
	size_t i;

	for (i = 0; w[i]; i++)
		if ((p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i]) != w[i])
			return 0;
	return 1;
}

/* Is the keyword w (lower case) next in *s? Then step over it. */
static int
keyword(const char **s, const char *w)
{
	const char *p = skipblank(*s);
	size_t n = strlen(w);

	if (!startswith(p, w) || identchar(p[n]))
		return 0;
	*s = p + n;
	return 1;
}

/* The name next in s, as PostgreSQL reads it (a bare one folded to lower
** case), into out; 0 when there is none or it does not fit. */
static int
nextname(const char *s, char *out, size_t size)
{
	size_t n = 0;

	s = skipblank(s);
	if (*s == '"') {
		for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
			if (*s == '"')
				s++;
			if (n + 1 >= size)
				return 0;
			out[n++] = *s;
		}
		if (*s != '"')
			return 0;
	} else {
		for (; identchar(*s); s++) {
			if (n + 1 >= size)
				return 0;
			out[n++] = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		}
	}
	out[n] = '\0';
	return n > 0;
}

/* Can the statement at sql (n bytes, or up to its NUL) commit part of
** its work before it ends? CALL and DO may COMMIT inside; the
** CONCURRENTLY forms commit between their phases. */
static int
commitsasitgoes(const char *sql, size_t n)
{
	const char *p = sql;
	size_t i;

	if (keyword(&p, "call") || keyword(&p, "do"))
		return 1;
	for (i = 0; i + 12 <= n && sql[i]; i++) {
		p = sql + i;
		if ((i == 0 || !identchar(sql[i - 1])) && keyword(&p, "concurrently"))
			return 1;
	}
	return 0;
}

/*
** After a CREATE INDEX CONCURRENTLY failed (or was interrupted), the
** index it may have left behind, marked invalid: it takes writes' time
** and blocks a rerun ("already exists"), so the message names the DROP
** INDEX to run first. Says nothing when sql is no such statement, names
** no index, or left none that the search_path shows (another schema's
** index of that name is not named: better no hint than a wrong DROP).
*/
static void
invalidindex(migc *m, const char *sql)
{
	const char *p = sql, *unnamed, *vals[1];
	char name[128];
	PGresult *res;

	if (!keyword(&p, "create"))
		return;
	keyword(&p, "unique");
	if (!keyword(&p, "index") || !keyword(&p, "concurrently"))
		return;
	if (keyword(&p, "if") && !(keyword(&p, "not") && keyword(&p, "exists")))
		return;
	unnamed = p;
	if (keyword(&unnamed, "on") || !nextname(p, name, sizeof(name)))
		return;
	vals[0] = name;
	res = PQexecParams(PG(m)->conn,
	                   "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_index i "
	                   "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
	                   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	                   "WHERE c.relname = $1 AND NOT i.indisvalid AND pg_catalog.pg_table_is_visible(c.oid)",
	                   1, NULL, vals, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		migc__adderr(m, "CREATE INDEX CONCURRENTLY left the invalid index %s behind: run DROP INDEX CONCURRENTLY %s; "
		             "then run migc_up with migc_set_resume", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 0));
	PQclear(res);
}

/* Does sc run with a lock_timeout of migc's setting: a positive one, or
** 0 for a file that says off (whatever the session would have)? */
static int
setslocktimeout(const migc *m, const struct migc_script *sc)
{
	return sc->lock_timeout_ms != 0 || m->ddl_lock_timeout > 0;
}

/*
** sc's timeouts (its lock timeout, above, and migc_set_statement_timeout)
** as SET statements added to t: SET LOCAL in a transaction, SET otherwise
** (the session reset after the migration lifts them). Returns how many
** statements were added.
*/
static int
addtimeouts(migc *m, const struct migc_script *sc, struct migc__text *t, int local)
{
	int n = 0;

	if (setslocktimeout(m, sc)) {
		migc__textprintf(t, "SET%s lock_timeout = %ld;\n", local ? " LOCAL" : "", migc__locktimeout(m, sc));
		n++;
	}
	if (m->statement_timeout > 0) {
		migc__textprintf(t, "SET%s statement_timeout = %d;\n", local ? " LOCAL" : "", m->statement_timeout);
		n++;
	}
	return n;
}

/*
** Report a failed statement i of sc: file:line:col, the server's
** message, detail, hint, context and SQLSTATE. text[0..n) is what was
** sent, the statement starting at byte `start` of it; intx: it ran in a
** transaction (a retry then begins the whole migration again).
*/
static int
stmterr(migc *m, const struct migc_script *sc, unsigned long i, const PGresult *res,
        const char *text, size_t n, size_t start, int intx)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	unsigned long line, col;
	long off = -1;
	int lostwait;

	if (pos)
		off = charoffset(text, n, atol(pos));
	if (off >= 0)
		off -= (long)start;
	migc__stmtpos(sc, i, off, &line, &col);
	lostwait = state && (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0);
	migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: %s: %s (SQLSTATE %s, statement %lu of %lu)", sc->file, line, col,
	       sev ? sev : "ERROR", msg ? msg : PQresultErrorMessage(res), state ? state : "?", i + 1, sc->nstmts);
	if (PG(m)->blocker[0] && lostwait)
		migc__adderr(m, "%s", PG(m)->blocker);
	/* A statement outside a transaction that commits as it goes (CALL,
	** DO, the CONCURRENTLY forms) may have done part of its work. */
	m->retryable = lostwait && (intx || !commitsasitgoes(text + start, n - start));
	if (detail)
		migc__adderr(m, "DETAIL: %s", detail);
	if (hint)
		migc__adderr(m, "HINT: %s", hint);
	if (context)
		migc__adderr(m, "CONTEXT: %s", context);
	return MIGC_ERROR;
}

/* What the server hears when a migration's COPY asks for client data. */
#define NOCOPYIN "COPY ... FROM STDIN is not supported in a migration: it has no client data to send"

/* Does s hold the word "password", in any case? Another session's query
** that does (ALTER ROLE ... PASSWORD, a user mapping's options) is not
** printed: a password is never printed. */
static int
namespassword(const char *s)
{
	for (; *s; s++)
		if (startswith(s, "password"))
			return 1;
	return 0;
}

/*
** Who keeps the running statement waiting for a lock: looked up once per
** message, on a second connection (made the first time, from the same
** parameters), into PG(m)->blocker. A lookup that fails leaves it "".
** Not through a transaction pooler: the pid libpq knows is the pooler's,
** and the second connection would wait for a server session of the pool,
** which the migration and its blocker may be taking, until one ends.
*/
static void
lookupblocker(migc *m)
{
	char pid[32];
	const char *vals[1] = { pid };
	PGresult *res;

	PG(m)->looked = 1;
	if (PG(m)->pooled == 1)
		return;
	if (!PG(m)->side) {
		PQconninfoOption *opts = PQconninfo(PG(m)->conn), *o;
		const char *keys[64], *values[64];
		int n = 0;

		for (o = opts; o && o->keyword && n < 63; o++) {
			if (o->val && *o->val) {
				keys[n] = o->keyword;
				values[n++] = o->val;
			}
		}
		keys[n] = values[n] = NULL;
		PG(m)->side = opts ? PQconnectdbParams(keys, values, 0) : NULL;
		PQconninfoFree(opts);
	}
	if (!PG(m)->side || PQstatus(PG(m)->side) != CONNECTION_OK)
		return;
	snprintf(pid, sizeof(pid), "%d", PQbackendPID(PG(m)->conn));
	res = PQexecParams(PG(m)->side,
	                   "SELECT a.pid, pg_catalog.round(pg_catalog.date_part('epoch', pg_catalog.now() - a.xact_start)::numeric, 1), "
	                   "pg_catalog.left(pg_catalog.split_part(a.query, E'\\n', 1), 200) "
	                   "FROM pg_catalog.pg_stat_activity a WHERE a.pid = ANY (pg_catalog.pg_blocking_pids($1::integer)) "
	                   "ORDER BY a.xact_start LIMIT 1", 1, NULL, vals, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(PG(m)->blocker, sizeof(PG(m)->blocker), "the lock is held by pid %s (its transaction has run %s s): %s",
		         PQgetvalue(res, 0, 0), PQgetisnull(res, 0, 1) ? "?" : PQgetvalue(res, 0, 1),
		         namespassword(PQgetvalue(res, 0, 2)) ? "(its query is not shown: it names a password)" :
		         PQgetvalue(res, 0, 2));
	PQclear(res);
}

/* A cancel request for the running statement. Sent here, by the thread
** that waits for it, and not by migc_interrupt: PQcancel connects to the
** server, which can block, and a signal handler must not. */
static void
sendcancel(migc *m)
{
	char errbuf[256];

	if (PG(m)->cancel)
		PQcancel(PG(m)->cancel, errbuf, sizeof(errbuf));
}

/* The running message was just sent: its wait starts now. */
static void
sent(migc *m)
{
	PG(m)->sentat = migc__monotonicms();
	PG(m)->resetdone = 0;
	PG(m)->looked = 0;
	PG(m)->blocker[0] = '\0';
}

/* How long waitresult's poll waits at a time, in ms: 100, or less until
** the blocker is looked up, so that a short lock timeout's lookup comes
** before the timeout (a quarter of it, at least 10 ms). */
static int
pollstep(const migc *m, long timeout)
{
	if (timeout <= 0 || PG(m)->looked || timeout >= 400)
		return 100;
	return timeout / 4 > 10 ? (int)(timeout / 4) : 10;
}

/*
** Wait until the running message (a migration's: pgexec, pgapply) has a
** result to read. Its statement can run for minutes, and migc_interrupt
** may come from a signal handler or another thread at any moment: it only
** sets the handle's flag, and this wait sends the cancel, again every
** 100 ms or less (the server drops one that comes before the statement
** starts).
** Only a migration's own statements are cancelled so: never migc's
** tracking writes, nor an application's queries on its own connection.
** Half way through its lock timeout (timeout ms, 0: none) it looks up
** who blocks the wait. A lost connection ends the wait; PQgetResult then
** says so.
*/
static void
waitresult(migc *m, long timeout)
{
	PGconn *c = PG(m)->conn;

	while (PQisBusy(c)) {
		struct pollfd p;
		int n;

		p.fd = PQsocket(c);
		p.events = POLLIN;
		p.revents = 0;
		n = poll(&p, 1, pollstep(m, timeout));
		if (n < 0 && errno != EINTR)
			return;
		if (n > 0 && !PQconsumeInput(c))
			return;
		if (n <= 0 && m->interrupted)
			sendcancel(m);
		else if (n == 0 && timeout > 0 && !PG(m)->looked && migc__monotonicms() - PG(m)->sentat >= timeout / 2)
			lookupblocker(m);
	}
}

PGresult *
migc__pgcancellable(migc *m, const char *sql, const char *param)
{
	PGconn *c = PG(m)->conn;
	PGresult *res, *last = NULL;

	if (!PQsendQueryParams(c, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0))
		return NULL;
	waitresult(m, 0);
	while ((res = PQgetResult(c)) != NULL) {
		PQclear(last);
		last = res;
	}
	return last;
}

/*
** The next result of a message sent with PQsendQuery in single-row mode,
** or NULL at its end. Rows (PGRES_SINGLE_TUPLE) are dropped as they
** come, so a SELECT of millions of rows holds one at a time; the zero-row
** PGRES_TUPLES_OK after them stands for the statement. A COPY that wants
** the client's data stream, which a migration does not have, is ended:
** FROM STDIN is failed with PQputCopyEnd (the server then reports the
** error), TO STDOUT's rows are read and dropped and *copyout set (the
** result that follows is the COPY's own). Any other status (COPY BOTH,
** pipeline results), or a COPY that cannot be ended, stops the reading:
** NULL, with *odd set to the status. So a loop over it always ends.
** timeout: the statements' lock timeout, for waitresult.
*/
static PGresult *
nextresult(migc *m, long timeout, int *copyout, int *odd)
{
	PGconn *c = PG(m)->conn;
	PGresult *res;
	char *row;
	int n;

	while (waitresult(m, timeout), (res = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		switch (st) {
		case PGRES_EMPTY_QUERY:
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_BAD_RESPONSE:
		case PGRES_NONFATAL_ERROR:
		case PGRES_FATAL_ERROR:
			return res;
		case PGRES_SINGLE_TUPLE:
			PQclear(res);
			continue;
		case PGRES_COPY_IN:
			PQclear(res);
			if (PQputCopyEnd(c, NOCOPYIN) == 1)
				continue;
			break;
		case PGRES_COPY_OUT:
			PQclear(res);
			while ((n = PQgetCopyData(c, &row, 0)) > 0)
				PQfreemem(row);
			*copyout = 1;
			if (n == -1)
				continue;
			break;
		default:
			PQclear(res);
			break;
		}
		*odd = (int)st;
		return NULL;
	}
	return NULL;
}

/* The error of statement i of sc, a COPY ... TO STDOUT whose rows were
** dropped; committed: the server committed the migration regardless. */
static int
copyerr(migc *m, const struct migc_script *sc, unsigned long i, int committed)
{
	unsigned long line, col;

	migc__stmtpos(sc, i, -1, &line, &col);
	return migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: COPY ... TO STDOUT is not supported in a migration: its rows go to a "
	              "client, and a migration has none (migc read and dropped them; migc gen refuses this statement)%s",
	              sc->file, line, col, committed ? "; the server had already committed the migration, and its "
	              "tracking row, when they arrived" : "");
}

/* The error of a result status the reading of statement i's results
** cannot go on from (nextresult's *odd). */
static int
odderr(migc *m, const struct migc_script *sc, unsigned long i, int status)
{
	unsigned long line, col;

	if (i >= sc->nstmts)
		return migc__seterr(m, MIGC_ERROR, "%s: PostgreSQL answered with %s, which migc cannot take part in",
		              sc->file, PQresStatus((ExecStatusType)status));
	migc__stmtpos(sc, i, -1, &line, &col);
	return migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: PostgreSQL answered with %s, which migc cannot take part in "
	              "(statement %lu of %lu)", sc->file, line, col, PQresStatus((ExecStatusType)status),
	              i + 1, sc->nstmts);
}

static int
failed(ExecStatusType st)
{
	return st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY;
}

int
migc__pgexec(migc *m, const struct migc_script *sc, unsigned long i)
{
	const struct migc_stmt *st = &sc->stmts[i];
	PGconn *c = PG(m)->conn;
	char *sql = malloc(st->length + 1);
	PGresult *res;
	int rc = MIGC_OK, copyout = 0, odd = 0, intx = PQtransactionStatus(c) != PQTRANS_IDLE;

	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	memcpy(sql, sc->sql + st->offset, st->length);
	sql[st->length] = '\0';
	if ((setslocktimeout(m, sc) || m->statement_timeout > 0) && PG(m)->timedfor != sc) {
		struct migc__text set = { NULL, 0, 0, 0 };

		addtimeouts(m, sc, &set, intx);
		rc = set.nomem ? migc__seterr(m, MIGC_NOMEM, "out of memory") : migc__pgrun(m, set.s, NULL);
		free(set.s);
		if (rc != MIGC_OK) {
			free(sql);
			return rc;
		}
		PG(m)->timedfor = sc;
		PG(m)->timedlocal = intx;
	}
	if (!PQsendQuery(c, sql)) {
		free(sql);
		return migc__pgconnerr(m, sc->file);
	}
	sent(m);
	PQsetSingleRowMode(c);
	while ((res = nextresult(m, migc__locktimeout(m, sc), &copyout, &odd)) != NULL) {
		if (rc == MIGC_OK && failed(PQresultStatus(res)))
			rc = stmterr(m, sc, i, res, sql, st->length, 0, intx);
		else if (rc == MIGC_OK && copyout)
			rc = copyerr(m, sc, i, 0);
		copyout = 0;
		PQclear(res);
	}
	if (rc == MIGC_OK && odd)
		rc = odderr(m, sc, i, odd);
	if (rc == MIGC_ERROR)
		invalidindex(m, sql);
	free(sql);
	return rc;
}

/*
** One message: BEGIN (how has MIGC__APPLY_BEGIN), the timeouts, every
** statement of the migration, the session reset, the INSERT of its row
** and COMMIT (MIGC__APPLY_COMMIT). libpq returns one result per
** statement, so the first error tells which statement failed; its
** position maps back to file:line:col.
*/
int
migc__pgapply(migc *m, const struct migc_migration *mig, const struct trackrow *r, int how)
{
	const struct migc_script *sc = &mig->up;
	PGconn *c = PG(m)->conn;
	struct migc__text msg = { NULL, 0, 0, 0 };
	size_t *starts;
	char *row;
	unsigned long i, nok = 0;
	PGresult *res, *bad = NULL;
	int rc = MIGC_OK, lead = 0, commit = (how & MIGC__APPLY_COMMIT) != 0;
	unsigned long nreset = PG(m)->sess.reset ? (unsigned long)PG(m)->sess.nreset : 0;

	starts = malloc((sc->nstmts + 1) * sizeof(*starts));
	row = migc__pgrowliteral(m, r);
	if (!starts || !row) {
		free(starts);
		free(row);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	/* What comes before the statements: lead results. */
	if (how & MIGC__APPLY_BEGIN) {
		migc__textputs(&msg, "BEGIN;\n");
		lead++;
	}
	lead += addtimeouts(m, sc, &msg, 1);
	for (i = 0; i < sc->nstmts; i++) {
		const struct migc_stmt *st = &sc->stmts[i];
		const char *text = sc->sql + st->offset;
		int semi = st->length > 0 && text[st->length - 1] == ';';

		starts[i] = msg.n;
		migc__textadd(&msg, text, st->length);
		migc__textputs(&msg, semi ? "\n" : ";\n");
	}
	/* The session as the run began, before the row is written. */
	if (nreset) {
		migc__textputs(&msg, PG(m)->sess.reset);
		migc__textputs(&msg, ";\n");
	}
	migc__textputs(&msg, row);
	migc__textputs(&msg, commit ? ";\nCOMMIT;" : ";");
	free(row);
	if (msg.nomem) {
		free(starts);
		free(msg.s);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	if (!PQsendQuery(c, msg.s)) {
		rc = migc__pgconnerr(m, sc->file);
	} else {
		unsigned long nlead = (unsigned long)lead;
		long copyat = -1;       /* the result of a COPY ... TO STDOUT, if one came before any error */
		int copyout = 0, odd = 0, leadfailed;

		sent(m);
		PQsetSingleRowMode(c);
		while ((res = nextresult(m, migc__locktimeout(m, sc), &copyout, &odd)) != NULL) {
			if (!failed(PQresultStatus(res))) {
				if (copyout && !bad && copyat < 0)
					copyat = (long)nok;
				if (!bad)
					nok++;
				PQclear(res);
			} else if (!bad) {
				bad = res;
			} else {
				PQclear(res);
			}
			copyout = 0;
		}
		/* The results of what came before the statements are not theirs. */
		leadfailed = bad && nok < nlead;
		if (!leadfailed)
			nok = nok >= nlead ? nok - nlead : 0;
		if (copyat >= 0)
			rc = copyerr(m, sc, (unsigned long)copyat - nlead, commit && !bad && !odd &&
			             PQtransactionStatus(c) == PQTRANS_IDLE);
		else if (leadfailed)
			rc = migc__pgerr(m, MIGC_ERROR, "cannot begin the migration's transaction", PQresultErrorMessage(bad));
		else if (bad && nok < sc->nstmts)
			rc = stmterr(m, sc, nok, bad, msg.s, msg.n, starts[nok], 1);
		else if (bad && nok < sc->nstmts + nreset)
			rc = migc__pgerr(m, MIGC_ERROR, "cannot reset the session after the migration", PQresultErrorMessage(bad));
		else if (bad)
			rc = migc__pgerr(m, MIGC_ERROR, nok == sc->nstmts + nreset ? "cannot record the migration" : "COMMIT failed",
			           PQresultErrorMessage(bad));
		else if (odd)
			rc = odderr(m, sc, nok, odd);
		else if (PQstatus(c) == CONNECTION_BAD)
			rc = migc__pgconnerr(m, sc->file);
		PQclear(bad);
	}
	free(starts);
	free(msg.s);
	return rc;
}

#endif
