/*
** engine.c: what applying, reverting, baselining and repairing share. Every
** change happens in the driver's write transaction after re-reading and
** re-verifying the tracking table inside it, so concurrent migrators
** serialise and each migration runs once; a transactional migration
** commits with its row. Here: that transaction, the run around it (the
** session and SQLite's foreign keys), and the rows it writes. up.c,
** down.c and repair.c hold the commands.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migc.h"
#include "internal.h"
#include "engine.h"

/* Commit when rc is MIGC_OK; roll back when it is not, or COMMIT fails. */
int
migc__endtx(migc *m, int rc)
{
	if (rc == MIGC_OK)
		rc = m->drv->xCommit(m);
	if (rc != MIGC_OK)
		m->drv->xRollback(m);
	return rc;
}

/*
** Foreign keys (SQLite). Every transactional migration, up or down, runs
** with enforcement off, as the SQLite documentation's table rebuild does
** (a parent's DROP TABLE would otherwise be an implicit DELETE that
** cascades into its children), and PRAGMA foreign_key_check runs before
** its COMMIT. -- migc:foreign-keys-on runs one with enforcement on, and a
** no-transaction migration runs with the connection's own setting. The
** PRAGMA is a no-op inside a transaction, so it is set outside one, only
** when it changes; the run gives the connection its setting back at the
** end. Drivers without xForeignKeys (PostgreSQL) skip all of this.
*/
static int
fkwanted(const migc *m, unsigned flags)
{
	if (flags & MIGC_FOREIGN_KEYS_ON)
		return 1;
	return (flags & MIGC_NO_TRANSACTION) ? m->fkwas : 0;
}

/* Would a script with flags need the setting changed first? */
int
migc__fkchange(const migc *m, unsigned flags)
{
	return m->drv->xForeignKeys && m->fkcur != fkwanted(m, flags);
}

/* Outside a transaction: the setting a script with flags runs under. */
static int
fkset(migc *m, unsigned flags)
{
	int on = fkwanted(m, flags), rc;

	if (!migc__fkchange(m, flags))
		return MIGC_OK;
	rc = m->drv->xForeignKeys(m, on, NULL);
	m->fkcur = rc == MIGC_OK ? on : -1;
	return rc;
}

/* Begin a run: remember the connection's setting and turn it off. */
static int
fkbegin(migc *m)
{
	int rc;

	if (!m->drv->xForeignKeys)
		return MIGC_OK;
	rc = m->drv->xForeignKeys(m, 0, &m->fkwas);
	m->fkcur = rc == MIGC_OK ? 0 : -1;
	if (rc != MIGC_OK)
		m->fkwas = -1;
	return rc;
}

/* End a run, on every path, outside a transaction: the connection gets
** its setting back. */
static int
fkend(migc *m, int rc)
{
	if (m->fkwas >= 0 && m->drv->xForeignKeys(m, m->fkwas, NULL) != MIGC_OK && rc == MIGC_OK)
		rc = MIGC_ERROR;
	m->fkwas = m->fkcur = -1;
	return rc;
}

/* Before COMMIT of a script run with enforcement off: no violations. */
int
migc__fkcheck(migc *m, const struct migc_script *sc)
{
	if (!m->drv->xForeignKeys || m->fkcur != 0)
		return MIGC_OK;
	return m->drv->xForeignKeyCheck(m, sc);
}

/*
** Session state. Each migration starts from the state the run began with
** (xSessionSave): what one migration SETs or PRAGMAs, attaches, prepares
** or makes temporary is undone after it (xSessionReset), before its
** tracking row is written, so a deploy of many migrations in one run does
** what one run per migration does, and the application's connection ends
** the run as it began it.
*/
int
migc__runbegin(migc *m)
{
	int rc = fkbegin(m);

	if (rc == MIGC_OK && m->drv->xSessionSave)
		rc = m->drv->xSessionSave(m);
	return rc;
}

/* After a migration: the run's session again. When it failed (rc), the
** failure's message is the one kept. */
int
migc__sessionreset(migc *m, int rc, int final)
{
	char *keep;

	if (!m->drv->xSessionReset || !m->session)
		return rc;
	if (rc == MIGC_OK)
		return m->drv->xSessionReset(m, final);
	keep = migc__strdup(migc_errmsg(m));
	m->drv->xSessionReset(m, final);
	migc__seterr(m, keep ? rc : MIGC_NOMEM, "%s", keep ? keep : "out of memory");
	free(keep);
	return rc;
}

/* End a run, on every path: the connection as it was before it. */
int
migc__runend(migc *m, int rc)
{
	if (m->session || m->fkwas >= 0)
		m->drv->xRollback(m);
	return fkend(m, migc__sessionreset(m, rc, 1));
}

/* UTC wall-clock time as 2026-01-31T12:00:00.123Z. */
static void
timestamp(char out[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 13, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

void
migc__makerow(struct trackrow *r, const struct migc_migration *mig, char *at)
{
	memset(r, 0, sizeof(*r));
	timestamp(at);
	r->version = mig->version;
	r->name = (char *)mig->name;
	r->checksum = (char *)mig->checksum;
	r->raw_checksum = (char *)mig->raw_checksum;
	r->applied_at = at;
	r->total = (long)mig->up.nstmts;
}

/* The first pending migration up to `to`, or NULL: one walk of the set
** and the rows together, both in version order. */
const struct migc_migration *
migc__nextpending(migc *m, const struct track *t, int64_t to)
{
	unsigned long i;
	size_t j = 0;

	for (i = 0; i < m->set->count && m->set->migrations[i].version <= to; i++) {
		const struct migc_migration *mig = &m->set->migrations[i];

		while (j < t->n && t->rows[j].version < mig->version)
			j++;
		if (j == t->n || t->rows[j].version != mig->version)
			return mig;
	}
	return NULL;
}

int
migc__checkversion(migc *m, int64_t v, const char *what)
{
	if (v == MIGC_LATEST || migc_find(m->set, v))
		return MIGC_OK;
	return migc__seterr(m, MIGC_INPUT, "%s: no migration has version %lld", what, (long long)v);
}

/*
** In the write transaction just begun: make sure the table exists, read
** and verify it (mode: VERIFY_UP, VERIFY_DOWN or VERIFY_NONE). On failure
** the transaction is rolled back.
*/
static int
loadtrack(migc *m, struct track *t, int mode)
{
	int rc = migc__readtrack(m, t, MIGC__READ_CREATE);

	if (rc == MIGC_OK && mode != VERIFY_NONE)
		rc = migc__verifytrack(m, t, mode == VERIFY_UP);
	if (rc != MIGC_OK) {
		m->drv->xRollback(m);
		migc__freetrack(t);
	}
	return rc;
}

/* Begin the write transaction, then loadtrack. */
int
migc__lockedread(migc *m, struct track *t, int mode)
{
	int rc;

	migc__newtrack(t);
	rc = m->drv->xBegin(m);
	return rc == MIGC_OK ? loadtrack(m, t, mode) : rc;
}

/*
** lockedread for the next step of an up run. *t, when *have says it was
** read earlier in this run (and holds the rows the run added since), is
** kept if the driver can tell that no other connection wrote the table
** meanwhile: then a run of n migrations reads the table once, not n times.
** On return the transaction is open (*begun 1); or, when the run holds the
** session lock (sessionlocked) and *t is kept, no transaction is open
** (*begun 0) if the driver has xApply: its next apply begins it
** (MIGC__APPLY_BEGIN), which saves the round trip of a BEGIN of its own.
*/
int
migc__lockedrefresh(migc *m, struct track *t, int *have, int sessionlocked, int *begun)
{
	int rc, kept = *have && m->drv->xUnchanged;

	*begun = 0;
	if (kept && sessionlocked && m->drv->xApply && m->drv->xUnchanged(m))
		return MIGC_OK;
	rc = m->drv->xBegin(m);
	*begun = rc == MIGC_OK;
	if (rc == MIGC_OK && kept && m->drv->xUnchanged(m))
		return MIGC_OK;
	migc__freetrack(t);
	if (rc == MIGC_OK)
		rc = loadtrack(m, t, VERIFY_UP);
	*have = rc == MIGC_OK;
	return rc;
}

/* Statement i of sc, unless migc_interrupt came: then it fails before it
** starts, as if it had failed (nothing of it ran). */
int
migc__exec(migc *m, const struct migc_script *sc, unsigned long i)
{
	unsigned long line, col;

	if (!m->interrupted)
		return m->drv->xExec(m, sc, i);
	migc__stmtpos(sc, i, -1, &line, &col);
	return migc__seterr(m, MIGC_ERROR, "%s:%lu:%lu: interrupted before statement %lu of %lu", sc->file, line, col,
	                    i + 1, sc->nstmts);
}

/* Add the row of mig, just applied, to *t in version order. */
int
migc__addrow(migc *m, struct track *t, const struct migc_migration *mig)
{
	struct trackrow *r;
	char at[32];
	size_t i;

	if (migc__growtrack(t) != 0)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (i = t->n; i > 0 && t->rows[i - 1].version > mig->version; i--)
		;
	memmove(&t->rows[i + 1], &t->rows[i], (t->n - i) * sizeof(*r));
	r = &t->rows[i];
	migc__makerow(r, mig, at);
	r->done = r->total;
	r->name = migc__trackstrdup(t, mig->name);
	r->checksum = migc__trackstrdup(t, mig->checksum);
	r->raw_checksum = migc__trackstrdup(t, mig->raw_checksum);
	r->applied_at = migc__trackstrdup(t, at);
	t->n++;
	if (!r->name || !r->checksum || !r->raw_checksum || !r->applied_at)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	return MIGC_OK;
}

int
migc__runstmts(migc *m, const struct migc_script *sc)
{
	unsigned long i;
	int rc = MIGC_OK;

	for (i = 0; i < sc->nstmts && rc == MIGC_OK; i++)
		rc = migc__exec(m, sc, i);
	return rc;
}

/* A no-transaction script's statement failed with rc: its row r records
** the error, and the error stays the handle's message. */
int
migc__failedrow(migc *m, int rc, struct trackrow *r)
{
	char *msg = migc__strdup(migc_errmsg(m));

	r->error = msg ? msg : "out of memory";
	m->drv->xWriteRow(m, r);
	migc__seterr(m, rc, "%s", r->error);
	free(msg);
	r->error = NULL;
	return rc;
}

/*
** gen's replay, between two migrations of an up run (from its event
** callback, no transaction open): run script sc as up and down run a
** migration's, without the tracking table: under the foreign key setting
** it asks for (checked before COMMIT), in a transaction of its own or,
** no-transaction, statement by statement; the run's session put back
** after. MIGC_OK, or the code of its failure (rolled back).
*/
int
migc__replayscript(migc *m, const struct migc_script *sc)
{
	int rc = fkset(m, sc->flags);

	if (rc == MIGC_OK && (sc->flags & MIGC_NO_TRANSACTION)) {
		rc = migc__runstmts(m, sc);
		m->fkcur = -1;          /* its statements may have set foreign_keys */
		return migc__sessionreset(m, rc, 0);
	}
	if (rc == MIGC_OK)
		rc = m->drv->xBegin(m);
	if (rc == MIGC_OK)
		rc = migc__runstmts(m, sc);
	if (rc == MIGC_OK)
		rc = migc__fkcheck(m, sc);
	if (rc == MIGC_OK)
		rc = migc__sessionreset(m, rc, 0);
	rc = migc__endtx(m, rc);
	return rc == MIGC_OK ? rc : migc__sessionreset(m, rc, 0);
}

/*
** Close the open transaction and set up, outside it, what script sc
** needs: its foreign key setting (PRAGMA foreign_keys is a no-op inside
** a transaction) and, for a no-transaction one, the session lock it
** holds throughout (*locked: taken; the caller releases it), which a
** connection through a transaction pooler cannot give. The caller then
** takes the transaction again and checks its work is still to do.
*/
int
migc__setupoutside(migc *m, const struct migc_script *sc, int *locked)
{
	int rc, pooled = 0;

	m->drv->xRollback(m);
	rc = fkset(m, sc->flags);
	if (rc == MIGC_OK && (sc->flags & MIGC_NO_TRANSACTION))
		rc = migc__pooled(m, &pooled);
	if (rc == MIGC_OK && pooled)
		return migc__poolrefusal(m, sc, NULL);
	if (rc == MIGC_OK && (sc->flags & MIGC_NO_TRANSACTION) && m->drv->xLockSession) {
		rc = m->drv->xLockSession(m);
		*locked = rc == MIGC_OK;
	}
	return rc;
}

/* Let a session-level hold go (xUnlockSession) as a step that ended with
** rc leaves: a release that fails fails a step that succeeded; a step
** that failed keeps its own message. */
int
migc__unlocksession(migc *m, int rc)
{
	char *kept;

	if (rc == MIGC_OK)
		return m->drv->xUnlockSession(m);
	kept = migc__setaside(m);
	(void)m->drv->xUnlockSession(m);
	migc__putback(m, kept);
	return rc;
}

int
migc__pooled(migc *m, int *pooled)
{
	*pooled = 0;
	return m->drv->xPooled ? m->drv->xPooled(m, pooled) : MIGC_OK;
}

/*
** The refusal of the no-transaction script sc through a transaction
** pooler (migc__pooled); done ("applied", "reverted") when the run
** refuses before it changes anything.
*/
int
migc__poolrefusal(migc *m, const struct migc_script *sc, const char *done)
{
	return migc__seterr(m, MIGC_ERROR, "%s is a no-transaction migration, which needs one server session from its "
	                    "first statement to its last (it holds migc's session-level lock), and this connection goes "
	                    "through a transaction pooler (PgBouncer in transaction mode, or another: the server session's "
	                    "pid is not the one the connection was given), which may give each transaction another. "
	                    "%s%s%sconnect to the server directly (its own host and port, not the pooler's) to run it",
	                    sc->file, done ? "Nothing was " : "", done ? done : "", done ? ": " : "");
}

/* A number from the handle's xorshift generator (for jitter only). */
static unsigned long long
jitter(migc *m)
{
	unsigned long long x = m->jitter ? m->jitter : 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	m->jitter = x;
	return x;
}

/*
** After a statement of mig's script sc (up or down) failed (rolled back,
** for a transactional one): try again? Yes when the driver marked the
** failure retryable (a lost lock wait or deadlock that redid no committed
** work: m->retryable), fewer than the retries allowed were made (attempt
** counts them from 0; by default 5 when sc runs with a lock timeout) and
** the handle is not interrupted: then
** the event says so, the wait (250 ms doubling to 8 s, each between half
** and one and a half of that) passes, and the answer is 1. Otherwise 0,
** with "gave up after N retries" added to the message when N > 0.
*/
int
migc__retry(migc *m, const struct migc_migration *mig, const struct migc_script *sc, int attempt)
{
	int retries = m->ddl_retries >= 0 ? m->ddl_retries : migc__locktimeout(m, sc) > 0 ? 5 : 0;
	long long delay, until;
	char text[1536];

	if (!m->retryable)
		return 0;
	if (m->interrupted)
		return 0;
	if (attempt >= retries) {
		if (attempt > 0)
			migc__adderr(m, "gave up after %d %s (migc_set_ddl_retries)", attempt, attempt == 1 ? "retry" : "retries");
		return 0;
	}
	delay = 250LL << (attempt < 5 ? attempt : 5);
	delay = delay / 2 + (long long)(jitter(m) % (unsigned long long)delay);
	snprintf(text, sizeof(text), "retry %d of %d in %lld ms: %s", attempt + 1, retries, delay, migc_errmsg(m));
	migc__emit(m, MIGC_EV_RETRY, mig, delay, text, strlen(text));
	until = migc__monotonicms() + delay;
	while (!m->interrupted && migc__monotonicms() < until) {
		struct timespec pause = { 0, 20 * 1000000L };

		nanosleep(&pause, NULL);
	}
	return !m->interrupted;
}

/*
** The result of an up or down run (done: "applied" or "reverted") that
** migc_interrupt may have stopped: rc itself when it was not stopped, or
** when it finished all the same; else MIGC_INTERRUPTED, saying what was
** rolled back, with the message of the statement that was cancelled
** below (it names the file, line and column).
*/
int
migc__stopped(migc *m, int rc, const char *done)
{
	const struct migc_script *sc = m->running;
	char *why;

	m->running = NULL;
	if (rc == MIGC_OK || !m->interrupted)
		return rc;
	why = migc__strdup(migc_errmsg(m));
	if (!sc && why && strncmp(why, "interrupted", 11) == 0) {
		/* The message says what stopped: waiting for the lock. */
		free(why);
		return MIGC_INTERRUPTED;
	}
	if (m->single_transaction)
		rc = migc__seterr(m, MIGC_INTERRUPTED, "interrupted: the single transaction was rolled back: "
		                  "none of its migrations is %s", done);
	else if (!sc)
		rc = migc__seterr(m, MIGC_INTERRUPTED, "interrupted before the next migration began (%d %s in this run)",
		                  m->nchanged, done);
	else if (sc->flags & MIGC_NO_TRANSACTION)
		rc = migc__seterr(m, MIGC_INTERRUPTED, "interrupted: %s (no-transaction) stopped at the statement below "
		                  "and is recorded as failed (%d %s before it in this run)", sc->file, m->nchanged, done);
	else
		rc = migc__seterr(m, MIGC_INTERRUPTED, "interrupted: %s was rolled back (%d %s before it in this run)",
		                  sc->file, m->nchanged, done);
	if (why && *why && strncmp(why, "interrupted", 11) != 0)
		migc__adderr(m, "%s", why);
	free(why);
	return rc == MIGC_NOMEM ? rc : MIGC_INTERRUPTED;
}

/* After a run that changed anything, or an up that found the newest row
** without its schema (see uprun), the newest row records the schema. */
int
migc__recorded(migc *m, int rc)
{
	int record = m->nchanged || m->unrecorded;

	m->unrecorded = 0;
	if (rc == MIGC_OK && record && !m->norecord)
		rc = migc__recordschema(m);
	return rc;
}
