/*
** engine.c: applying and reverting migrations. Every change happens in
** the driver's write transaction after re-reading and re-verifying the
** tracking table inside it, so concurrent migrators serialise and each
** migration runs once; a transactional migration commits with its row.
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migc.h"
#include "internal.h"
#include "sha256.h"

/* Commit when rc is MIGC_OK; roll back when it is not, or COMMIT fails. */
static int
endtx(migc *m, int rc)
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
static int
fkchange(const migc *m, unsigned flags)
{
	return m->drv->xForeignKeys && m->fkcur != fkwanted(m, flags);
}

/* Outside a transaction: the setting a script with flags runs under. */
static int
fkset(migc *m, unsigned flags)
{
	int on = fkwanted(m, flags), rc;

	if (!fkchange(m, flags))
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
static int
fkcheck(migc *m, const struct migc_script *sc)
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
static int
runbegin(migc *m)
{
	int rc = fkbegin(m);

	if (rc == MIGC_OK && m->drv->xSessionSave)
		rc = m->drv->xSessionSave(m);
	return rc;
}

/* After a migration: the run's session again. When it failed (rc), the
** failure's message is the one kept. */
static int
sessionreset(migc *m, int rc, int final)
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
static int
runend(migc *m, int rc)
{
	if (m->session || m->fkwas >= 0)
		m->drv->xRollback(m);
	return fkend(m, sessionreset(m, rc, 1));
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

static void
makerow(struct trackrow *r, const struct migc_migration *mig, char *at)
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

/* The row of version, by binary search (rows are in version order). */
static const struct trackrow *
findrow(const struct track *t, int64_t version)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->rows[mid].version == version)
			return &t->rows[mid];
		if (t->rows[mid].version < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
applied(const struct track *t, int64_t version)
{
	return findrow(t, version) != NULL;
}

/* With resume: the first failed no-transaction migration that can go on. */
static const struct trackrow *
resumerow(migc *m, const struct track *t)
{
	size_t i;

	for (i = 0; m->resume && i < t->n; i++)
		if (migc__isfailed(&t->rows[i]) && migc__resumable(&t->rows[i], migc_find(m->set, t->rows[i].version)))
			return &t->rows[i];
	return NULL;
}

/* The first pending migration up to `to`, or NULL: one walk of the set
** and the rows together, both in version order. */
static const struct migc_migration *
nextpending(migc *m, const struct track *t, int64_t to)
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

static int
checkversion(migc *m, int64_t v, const char *what)
{
	if (v == MIGC_LATEST || migc_find(m->set, v))
		return MIGC_OK;
	return migc__seterr(m, MIGC_INPUT, "%s: no migration has version %lld", what, (long long)v);
}

enum { VERIFY_NONE = -1, VERIFY_DOWN = 0, VERIFY_UP = 1 };

/*
** In the write transaction just begun: make sure the table exists, read
** and verify it (mode: VERIFY_UP, VERIFY_DOWN or VERIFY_NONE). On failure
** the transaction is rolled back.
*/
static int
loadtrack(migc *m, struct track *t, int mode)
{
	int rc = m->drv->xCreateTable(m);

	if (rc == MIGC_OK)
		rc = migc__readtrack(m, t);
	if (rc == MIGC_OK && mode != VERIFY_NONE)
		rc = migc__verifytrack(m, t, mode == VERIFY_UP);
	if (rc != MIGC_OK) {
		m->drv->xRollback(m);
		migc__freetrack(t);
	}
	return rc;
}

/* Begin the write transaction, then loadtrack. */
static int
lockedread(migc *m, struct track *t, int mode)
{
	int rc;

	t->rows = NULL;
	t->n = t->cap = 0;
	rc = m->drv->xBegin(m);
	return rc == MIGC_OK ? loadtrack(m, t, mode) : rc;
}

/*
** lockedread for the next step of an up run. *t, when *have says it was
** read earlier in this run (and holds the rows the run added since), is
** kept if the driver can tell that no other connection wrote the table
** meanwhile: then a run of n migrations reads the table once, not n times.
*/
static int
lockedrefresh(migc *m, struct track *t, int *have)
{
	int rc = m->drv->xBegin(m);

	if (rc == MIGC_OK && *have && m->drv->xUnchanged && m->drv->xUnchanged(m))
		return MIGC_OK;
	migc__freetrack(t);
	if (rc == MIGC_OK)
		rc = loadtrack(m, t, VERIFY_UP);
	*have = rc == MIGC_OK;
	return rc;
}

/* Add the row of mig, just applied, to *t in version order. */
static int
addrow(migc *m, struct track *t, const struct migc_migration *mig)
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
	makerow(r, mig, at);
	r->done = r->total;
	r->name = migc__strdup(mig->name);
	r->checksum = migc__strdup(mig->checksum);
	r->raw_checksum = migc__strdup(mig->raw_checksum);
	r->applied_at = migc__strdup(at);
	t->n++;
	if (!r->name || !r->checksum || !r->raw_checksum || !r->applied_at)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	return MIGC_OK;
}

/* Does r record mig's checksums, of the canonical and of the raw bytes? */
static int
samesums(const struct trackrow *r, const struct migc_migration *mig)
{
	return strcmp(r->checksum, mig->checksum) == 0 && strcmp(r->raw_checksum, mig->raw_checksum) == 0;
}

/*
** The check an application makes at every start, answered with one read
** of the table and no lock: is everything up to `to` applied, every row
** clean and the newest one's schema recorded? Anything else (pending,
** failed, edited or unknown rows, no table yet, an error) is for the
** locked path to handle and report.
*/
static int
uptodate(migc *m, int64_t to)
{
	struct track t;
	int64_t limit;
	int clean;
	size_t j;

	if (m->resume || migc__readbrief(m, &t) != MIGC_OK) {
		migc__clearerr(m);
		return 0;
	}
	/* Pending migrations below the newest applied one are out of order:
	** for the locked path to refuse. */
	limit = t.n && t.rows[t.n - 1].version > to ? t.rows[t.n - 1].version : to;
	clean = t.n > 0 && t.rows[t.n - 1].hasschema && !nextpending(m, &t, limit);
	for (j = 0; clean && j < t.n; j++) {
		const struct trackrow *r = &t.rows[j];
		const struct migc_migration *mig = migc_find(m->set, r->version);

		clean = mig && !migc__isfailed(r) && samesums(r, mig);
	}
	migc__freetrack(&t);
	return clean;
}

static int
runstmts(migc *m, const struct migc_script *sc)
{
	unsigned long i;
	int rc = MIGC_OK;

	for (i = 0; i < sc->nstmts && rc == MIGC_OK; i++)
		rc = m->drv->xExec(m, sc, i);
	return rc;
}

/*
** Run a transactional migration and record it, inside the open
** transaction; commit when asked. A driver with xApply sends it all at
** once. On failure the caller rolls back.
*/
static int
applytx(migc *m, const struct migc_migration *mig, int commit, long long *ms)
{
	struct trackrow r;
	char at[32];
	long long t0 = migc__monotonicms();
	int rc;

	makerow(&r, mig, at);
	r.done = r.total;
	if (m->drv->xApply) {
		r.ms = -1;
		rc = m->drv->xApply(m, mig, &r, commit);
		*ms = migc__monotonicms() - t0;
		return rc;
	}
	rc = runstmts(m, &mig->up);
	if (rc == MIGC_OK)
		rc = fkcheck(m, &mig->up);
	if (rc == MIGC_OK)
		rc = sessionreset(m, rc, 0);
	if (rc == MIGC_OK) {
		r.ms = *ms = migc__monotonicms() - t0;
		rc = m->drv->xWriteRow(m, &r);
	}
	if (rc == MIGC_OK && commit)
		rc = m->drv->xCommit(m);
	return rc;
}

/* A no-transaction script's statement failed with rc: its row r records
** the error, and the error stays the handle's message. */
static int
failedrow(migc *m, int rc, struct trackrow *r)
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
** Run a no-transaction migration from statement `from` (0, or where a
** failed run stopped): its row is written first, marking it started, then
** each statement commits on its own and the row counts it, with a checksum
** of the statements done so far (what lets a failed run resume). A
** failure leaves the row saying which statement failed and why.
*/
static int
applynotx(migc *m, const struct migc_migration *mig, long from, long long *ms)
{
	struct trackrow r;
	struct sha256 sum;
	char at[32], done[68];
	long long t0 = migc__monotonicms();
	unsigned long i;
	int rc;

	makerow(&r, mig, at);
	migc__prefixbegin(&sum);
	for (i = 0; i < (unsigned long)from; i++)
		migc__prefixadd(&sum, &mig->up, i);
	migc__prefixhex(&sum, done);
	r.done = from;
	r.done_checksum = done;
	rc = endtx(m, m->drv->xWriteRow(m, &r));
	if (rc != MIGC_OK)
		return rc;
	for (i = (unsigned long)from; i < mig->up.nstmts; i++) {
		rc = m->drv->xExec(m, &mig->up, i);
		if (rc != MIGC_OK) {
			r.ms = migc__monotonicms() - t0;
			return failedrow(m, rc, &r);
		}
		migc__prefixadd(&sum, &mig->up, i);
		migc__prefixhex(&sum, done);
		r.done = (long)i + 1;
		r.ms = migc__monotonicms() - t0;
		rc = m->drv->xWriteRow(m, &r);
		if (rc != MIGC_OK)
			return rc;
	}
	*ms = r.ms;
	return MIGC_OK;
}

/*
** Take the transaction again after setting up, outside it, what a
** migration needs, and check that it is still to do (another process may
** have done it meanwhile): mig the next pending one, or, when from >= 0,
** still failed at statement `from`. *still says.
*/
static int
relock(migc *m, const struct migc_migration *mig, int64_t to, long from, int *still)
{
	const struct trackrow *r;
	struct track t;
	int rc;

	rc = lockedread(m, &t, VERIFY_UP);
	r = rc == MIGC_OK ? findrow(&t, mig->version) : NULL;
	*still = rc == MIGC_OK && (from < 0 ? nextpending(m, &t, to) == mig : r && migc__isfailed(r) && r->done == from);
	migc__freetrack(&t);
	if (rc == MIGC_OK && !*still)
		m->drv->xRollback(m);
	return rc;
}

/*
** Close the open transaction and set up, outside it, what a script with
** flags needs: its foreign key setting (PRAGMA foreign_keys is a no-op
** inside a transaction) and, for a no-transaction one, the session lock
** it holds throughout (*locked: taken; the caller releases it). The
** caller then takes the transaction again and checks its work is still
** to do.
*/
static int
setupoutside(migc *m, unsigned flags, int *locked)
{
	int rc;

	m->drv->xRollback(m);
	rc = fkset(m, flags);
	if (rc == MIGC_OK && (flags & MIGC_NO_TRANSACTION) && m->drv->xLockSession) {
		rc = m->drv->xLockSession(m);
		*locked = rc == MIGC_OK;
	}
	return rc;
}

/* Apply one pending migration, or go on with a failed no-transaction one
** from statement `from` (-1: a pending one). The transaction is open on
** entry and closed on return. *outside says whether it had to be closed
** first (to set foreign keys, or for a no-transaction migration), which
** leaves what the caller read of the table out of date. */
static int
applyone(migc *m, const struct migc_migration *mig, int64_t to, long from, int *outside)
{
	const unsigned flags = mig->up.flags;
	int rc = MIGC_OK, locked = 0, still = 1;
	long long ms = 0;

	*outside = (flags & MIGC_NO_TRANSACTION) || fkchange(m, flags);
	if (*outside) {
		rc = setupoutside(m, flags, &locked);
		if (rc == MIGC_OK)
			rc = relock(m, mig, to, from, &still);
	}
	if (rc == MIGC_OK && still) {
		if (flags & MIGC_NO_TRANSACTION) {
			rc = sessionreset(m, applynotx(m, mig, from < 0 ? 0 : from, &ms), 0);
			/* Its statements may have set foreign_keys themselves. */
			m->fkcur = -1;
		} else {
			rc = applytx(m, mig, 1, &ms);
			if (rc != MIGC_OK) {
				/* Some state outlives a rollback (PREPARE, PRAGMAs). */
				m->drv->xRollback(m);
				rc = sessionreset(m, rc, 0);
			}
		}
		if (rc == MIGC_OK)
			migc__emit(m, MIGC_EV_APPLIED, mig, ms, NULL, 0);
	}
	if (locked)
		m->drv->xUnlockSession(m);
	return rc;
}

/* All pending migrations up to `to` in one transaction: all or none. */
static int
upsingle(migc *m, int64_t to)
{
	const struct migc_migration **todo;
	unsigned long i, n = 0;
	struct track t;
	long long *ms;
	int rc;

	rc = runbegin(m);
	if (rc == MIGC_OK)
		rc = lockedread(m, &t, VERIFY_UP);
	if (rc != MIGC_OK)
		return rc;
	todo = malloc((m->set->count + 1) * sizeof(*todo));
	ms = malloc((m->set->count + 1) * sizeof(*ms));
	if (!todo || !ms) {
		rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m->set->count && m->set->migrations[i].version <= to; i++) {
		const struct migc_migration *mig = &m->set->migrations[i];

		if (applied(&t, mig->version))
			continue;
		if (mig->up.flags & (MIGC_NO_TRANSACTION | MIGC_FOREIGN_KEYS_ON)) {
			rc = migc__seterr(m, MIGC_INPUT, "a single transaction (migc_set_single_transaction) cannot include %s: "
			            "it is a %s migration",
			            mig->up.file, (mig->up.flags & MIGC_NO_TRANSACTION) ? "no-transaction" : "foreign-keys-on");
			goto out;
		}
		todo[n++] = mig;
	}
	for (i = 0; i < n && rc == MIGC_OK; i++)
		rc = applytx(m, todo[i], 0, &ms[i]);
out:
	rc = endtx(m, rc);
	for (i = 0; i < n && rc == MIGC_OK; i++)
		migc__emit(m, MIGC_EV_APPLIED, todo[i], ms[i], NULL, 0);
	migc__freetrack(&t);
	free(todo);
	free(ms);
	return rc;
}

/*
** Apply what is pending up to `to`, one migration per transaction. Where
** the driver has a session lock (PostgreSQL) the run holds it throughout,
** so no other migrator comes between two migrations and each is one round
** trip; elsewhere each transaction is the lock (SQLite: BEGIN IMMEDIATE).
*/
static int
uprun(migc *m, int64_t to)
{
	const struct migc_migration *mig;
	struct track t = { NULL, 0, 0 };
	int rc, have = 0, runlock = 0;

	migc__clearerr(m);
	if (m->readonly)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	rc = checkversion(m, to, "migc_up target version");
	if (rc == MIGC_OK && m->single_transaction)
		return upsingle(m, to);
	if (rc == MIGC_OK && uptodate(m, to))
		return MIGC_OK;
	if (rc == MIGC_OK)
		rc = runbegin(m);
	if (rc == MIGC_OK && m->drv->xLockSession) {
		rc = m->drv->xLockSession(m);
		runlock = rc == MIGC_OK;
	}
	while (rc == MIGC_OK) {
		const struct trackrow *r;
		long from = -1;
		int outside;

		rc = lockedrefresh(m, &t, &have);
		if (rc != MIGC_OK)
			break;
		r = resumerow(m, &t);
		if (r) {
			mig = migc_find(m->set, r->version);
			from = r->done;
		} else {
			mig = nextpending(m, &t, to);
		}
		if (!mig) {
			/* Killed between its last migration and recording the
			** schema, a run leaves the newest row without one: this
			** run records it. */
			if (t.n > 0 && !t.rows[t.n - 1].hasschema)
				m->unrecorded = 1;
			rc = m->drv->xCommit(m);
			break;
		}
		rc = applyone(m, mig, to, from, &outside);
		if (rc == MIGC_OK && from < 0 && !outside)
			rc = addrow(m, &t, mig);
		else
			have = 0;       /* read the table again */
	}
	migc__freetrack(&t);
	if (runlock)
		m->drv->xUnlockSession(m);
	return rc;
}

int
migc_up_dry_run(migc *m, int64_t to)
{
	const struct migc_migration *mig;
	struct track t;
	unsigned long i;
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	migc__clearerr(m);
	rc = checkversion(m, to, "migc_up_dry_run target version");
	if (rc == MIGC_OK)
		rc = migc__readtrack(m, &t);
	if (rc != MIGC_OK)
		return rc;
	rc = migc__verifytrack(m, &t, 1);
	for (i = 0; rc == MIGC_OK && i < m->set->count; i++) {
		unsigned long k;

		mig = &m->set->migrations[i];
		if (mig->version > to || applied(&t, mig->version))
			continue;
		for (k = 0; k < mig->up.nstmts; k++)
			migc__emit(m, MIGC_EV_SQL, mig, 0, mig->up.sql + mig->up.stmts[k].offset,
			     mig->up.stmts[k].length);
	}
	migc__freetrack(&t);
	return rc;
}

/*
** In a transaction just begun (after setting up, outside one, what a
** down needs): read the table and check that version is still the newest
** applied migration, as the run found it; *t keeps the rows, *still says.
*/
static int
relocknewest(migc *m, int64_t version, struct track *t, int *still)
{
	int rc = lockedread(m, t, VERIFY_DOWN);

	*still = rc == MIGC_OK && t->n > 0 && t->rows[t->n - 1].version == version;
	if (rc == MIGC_OK && !*still)
		m->drv->xRollback(m);
	return rc;
}

/* "down did not finish: k of n statements of FILE had run" into out. */
static void
downprogress(char *out, size_t n, const struct migc_script *sc, unsigned long done)
{
	snprintf(out, n, DOWN_PROGRESS "%lu of %lu statements of %s had run", done, sc->nstmts, sc->file);
}

/*
** Revert a no-transaction down, holding the migration lock throughout
** (the caller took the session lock where the driver has one; SQLite's
** other migrators see the row below and stop). The transaction that
** found mig the newest is open on entry with its row *row. The row is
** marked first, and after each statement, with how far the down got, so
** a run killed part way leaves a row that reads as failed instead of one
** that reads applied while its objects are gone; once every statement
** ran, the table is read again and the row deleted only if it is still
** this one, so nothing that came meanwhile is lost.
*/
static int
revertnotx(migc *m, const struct migc_migration *mig, const struct trackrow *row)
{
	const struct migc_script *sc = &mig->down;
	struct trackrow r = *row;
	char note[512];
	struct track t;
	unsigned long i;
	int rc;

	downprogress(note, sizeof(note), sc, 0);
	r.error = note;
	rc = endtx(m, m->drv->xWriteRow(m, &r));
	for (i = 0; rc == MIGC_OK && i < sc->nstmts; i++) {
		rc = m->drv->xExec(m, sc, i);
		if (rc != MIGC_OK)
			return sessionreset(m, failedrow(m, rc, &r), 0);
		downprogress(note, sizeof(note), sc, i + 1);
		rc = m->drv->xWriteRow(m, &r);
	}
	rc = sessionreset(m, rc, 0);
	if (rc != MIGC_OK)
		return rc;
	rc = lockedread(m, &t, VERIFY_NONE);
	if (rc != MIGC_OK)
		return rc;
	if (t.n == 0 || t.rows[t.n - 1].version != mig->version || !t.rows[t.n - 1].error ||
	    strcmp(t.rows[t.n - 1].error, note) != 0)
		rc = migc__seterr(m, MIGC_VERIFY, "the tracking table changed while %s ran: its row was not deleted; "
		            "check the table, then run migc_repair with MIGC_REPAIR_CLEAR_FAILED for version %lld "
		            "if %s is reverted",
		            sc->file, (long long)mig->version, mig->up.file);
	else
		rc = m->drv->xDeleteRow(m, mig->version);
	migc__freetrack(&t);
	return endtx(m, rc);
}

/*
** Revert mig, the newest applied migration; the transaction that found
** it is open on entry and closed on return. A no-transaction down, or one
** that needs foreign keys set otherwise, first closes it to set things up
** and then takes it again, making sure mig is still the newest.
*/
static int
revertone(migc *m, const struct migc_migration *mig)
{
	const struct migc_script *sc = &mig->down;
	struct track t = { NULL, 0, 0 };
	long long t0 = migc__monotonicms();
	int rc = MIGC_OK, locked = 0, still = 1;

	if ((sc->flags & MIGC_NO_TRANSACTION) || fkchange(m, sc->flags)) {
		rc = setupoutside(m, sc->flags, &locked);
		if (rc == MIGC_OK)
			rc = relocknewest(m, mig->version, &t, &still);
	}
	if (rc == MIGC_OK && still && (sc->flags & MIGC_NO_TRANSACTION)) {
		rc = revertnotx(m, mig, &t.rows[t.n - 1]);
		m->fkcur = -1;          /* its statements may have set foreign_keys */
	} else if (rc == MIGC_OK && still) {
		rc = runstmts(m, sc);
		if (rc == MIGC_OK)
			rc = fkcheck(m, sc);
		if (rc == MIGC_OK)
			rc = sessionreset(m, rc, 0);
		if (rc == MIGC_OK)
			rc = m->drv->xDeleteRow(m, mig->version);
		rc = endtx(m, rc);
		if (rc != MIGC_OK)
			rc = sessionreset(m, rc, 0);
	}
	migc__freetrack(&t);
	if (locked)
		m->drv->xUnlockSession(m);
	if (rc == MIGC_OK && still)
		migc__emit(m, MIGC_EV_REVERTED, mig, migc__monotonicms() - t0, NULL, 0);
	return rc;
}

/* Does every migration down() would revert in t have a down file? */
static int
checkdowns(migc *m, const struct track *t, int steps, int64_t to)
{
	size_t i, n = 0;

	for (i = t->n; i > 0 && (steps > 0 ? n < (size_t)steps : t->rows[i - 1].version > to); i--, n++) {
		const struct migc_migration *mig = migc_find(m->set, t->rows[i - 1].version);

		if (mig && !mig->down.file)
			return migc__seterr(m, MIGC_INPUT, "%s has no down migration: nothing was reverted", mig->up.file);
	}
	return MIGC_OK;
}

/*
** Revert newest first, each in a transaction that re-reads the table and
** picks the newest row at that moment, so concurrent migrators do not
** trip each other; steps > 0 reverts that many, else down to `to`.
*/
static int
downrun(migc *m, int steps, int64_t to)
{
	const struct migc_migration *mig;
	struct track t;
	int rc;

	migc__clearerr(m);
	if (m->readonly)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	if (steps <= 0 && to != 0 && !migc_find(m->set, to))
		return migc__seterr(m, MIGC_INPUT, "migc_down target version: no migration has version %lld", (long long)to);
	/* Refuse before running anything when one on the way has no down. */
	rc = migc__readtrack(m, &t);
	if (rc == MIGC_OK)
		rc = migc__verifytrack(m, &t, 0);
	if (rc == MIGC_OK)
		rc = checkdowns(m, &t, steps, to);
	migc__freetrack(&t);
	if (rc == MIGC_OK)
		rc = runbegin(m);
	/* m->nchanged counts the migrations this run reverted. */
	while (rc == MIGC_OK) {
		rc = lockedread(m, &t, VERIFY_DOWN);
		if (rc != MIGC_OK)
			break;
		if (t.n == 0 || (steps > 0 ? m->nchanged >= steps : t.rows[t.n - 1].version <= to)) {
			migc__freetrack(&t);
			rc = m->drv->xCommit(m);
			break;
		}
		mig = migc_find(m->set, t.rows[t.n - 1].version);
		rc = checkdowns(m, &t, 1, 0);
		migc__freetrack(&t);
		if (rc != MIGC_OK) {
			m->drv->xRollback(m);
			break;
		}
		rc = revertone(m, mig);
	}
	return rc;
}

int
migc_redo(migc *m)
{
	struct track t;
	int64_t v;
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	migc__clearerr(m);
	rc = migc__readtrack(m, &t);
	if (rc != MIGC_OK)
		return rc;
	if (t.n == 0) {
		migc__freetrack(&t);
		return migc__seterr(m, MIGC_INPUT, "redo: no migration is applied");
	}
	v = t.rows[t.n - 1].version;
	migc__freetrack(&t);
	rc = migc_down(m, 1, 0);
	if (rc == MIGC_OK)
		rc = migc_up(m, v);
	return rc;
}

static int
baselinerun(migc *m, int64_t to)
{
	struct trackrow r;
	struct track t;
	unsigned long i;
	char at[32];
	int rc;

	migc__clearerr(m);
	if (m->readonly)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	if (!migc_find(m->set, to))
		return migc__seterr(m, MIGC_INPUT, "baseline: no migration has version %lld", (long long)to);
	rc = lockedread(m, &t, VERIFY_DOWN);
	if (rc != MIGC_OK)
		return rc;
	if (t.n > 0) {
		rc = migc__seterr(m, MIGC_INPUT, "baseline needs a database with no applied migrations; this one has %lu",
		            (unsigned long)t.n);
		migc__freetrack(&t);
		m->drv->xRollback(m);
		return rc;
	}
	migc__freetrack(&t);
	for (i = 0; rc == MIGC_OK && i < m->set->count && m->set->migrations[i].version <= to; i++) {
		makerow(&r, &m->set->migrations[i], at);
		r.done = r.total;
		rc = m->drv->xWriteRow(m, &r);
	}
	rc = endtx(m, rc);
	if (rc != MIGC_OK)
		return rc;
	for (i = 0; i < m->set->count && m->set->migrations[i].version <= to; i++)
		migc__emit(m, MIGC_EV_BASELINED, &m->set->migrations[i], 0, NULL, 0);
	return MIGC_OK;
}

int
migc_repair(migc *m, int what, int64_t version)
{
	const struct migc_migration *mig;
	const struct trackrow *r;
	struct track t;
	char text[512], **old;
	size_t i;
	int rc = migc__checkhandle(m, 1), n = 0;

	if (rc != MIGC_OK)
		return rc;
	migc__clearerr(m);
	if (m->readonly)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	if (what != MIGC_REPAIR_CLEAR_FAILED && what != MIGC_REPAIR_ACCEPT_CHECKSUMS)
		return migc__seterr(m, MIGC_INPUT, "migc_repair: say what to repair: MIGC_REPAIR_CLEAR_FAILED or "
		              "MIGC_REPAIR_ACCEPT_CHECKSUMS");
	rc = lockedread(m, &t, VERIFY_NONE);
	if (rc != MIGC_OK)
		return rc;
	if (what == MIGC_REPAIR_CLEAR_FAILED) {
		r = findrow(&t, version);
		if (!r || !migc__isfailed(r)) {
			rc = migc__seterr(m, MIGC_INPUT, "migc_repair with MIGC_REPAIR_CLEAR_FAILED: version %lld has no failed record",
			            (long long)version);
		} else {
			rc = m->drv->xDeleteRow(m, version);
			snprintf(text, sizeof(text), "cleared the failed record of version %lld (%s; %ld of %ld statements had run): "
			         "up runs it again from the start", (long long)version, r->name, r->done, r->total);
		}
		rc = endtx(m, rc);
		if (rc == MIGC_OK)
			migc__emit(m, MIGC_EV_REPAIRED, migc_find(m->set, version), 0, text, strlen(text));
		migc__freetrack(&t);
		return rc;
	}
	/* Accept the embedded checksums of applied migrations edited on purpose;
	** old[i] keeps what row i recorded, to say so after COMMIT. */
	old = calloc(t.n + 1, sizeof(*old));
	if (!old)
		rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (i = 0; rc == MIGC_OK && i < t.n; i++) {
		struct trackrow *row = &t.rows[i];

		mig = migc_find(m->set, row->version);
		if (!mig || migc__isfailed(row) || samesums(row, mig))
			continue;
		old[i] = row->checksum;
		free(row->raw_checksum);
		row->checksum = migc__strdup(mig->checksum);
		row->raw_checksum = migc__strdup(mig->raw_checksum);
		rc = row->checksum && row->raw_checksum ? m->drv->xWriteRow(m, row) : migc__seterr(m, MIGC_NOMEM, "out of memory");
		n++;
	}
	rc = endtx(m, rc);
	for (i = 0; rc == MIGC_OK && i < t.n; i++) {
		if (!old[i])
			continue;
		mig = migc_find(m->set, t.rows[i].version);
		snprintf(text, sizeof(text), "%s: recorded checksum %s replaced by %s", mig->up.file, old[i], mig->checksum);
		migc__emit(m, MIGC_EV_REPAIRED, mig, 0, text, strlen(text));
	}
	if (rc == MIGC_OK && n == 0) {
		snprintf(text, sizeof(text), "nothing to repair: every recorded checksum matches this binary");
		migc__emit(m, MIGC_EV_REPAIRED, NULL, 0, text, strlen(text));
	}
	for (i = 0; old && i < t.n; i++)
		free(old[i]);
	free(old);
	migc__freetrack(&t);
	return rc;
}

/* After a run that changed anything, or an up that found the newest row
** without its schema (see uprun), the newest row records the schema. */
static int
recorded(migc *m, int rc)
{
	int record = m->nchanged || m->unrecorded;

	m->unrecorded = 0;
	if (rc == MIGC_OK && record)
		rc = migc__recordschema(m);
	return rc;
}

/* The schema is read under the run's session, before runend gives the
** connection back. */
int
migc_up(migc *m, int64_t to)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	m->nchanged = 0;
	return runend(m, recorded(m, uprun(m, to)));
}

int
migc_down(migc *m, int steps, int64_t to)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	m->nchanged = 0;
	return runend(m, recorded(m, downrun(m, steps, to)));
}

int
migc_baseline(migc *m, int64_t to)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	m->nchanged = 0;
	return recorded(m, baselinerun(m, to));
}
