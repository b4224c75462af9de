/*
** up.c: migc_up and its dry run: the start-up check that answers with one
** read, then each pending migration in the transaction (or, for a
** no-transaction one, statement by statement under the session lock).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "engine.h"
#include "sha256.h"

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

/* Does r record mig's checksums, of the canonical and of the raw bytes? */
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
	struct entries e;
	const struct trackrow *r;
	const struct migc_migration *mig;

	if (m->resume || migc__readtrack(m, &t, MIGC__READ_BRIEF) != MIGC_OK) {
		migc__clearerr(m);
		return 0;
	}
	/* Pending migrations below the newest applied one are out of order:
	** for the locked path to refuse. */
	limit = t.n && t.rows[t.n - 1].version > to ? t.rows[t.n - 1].version : to;
	clean = t.n > 0 && !t.old && t.rows[t.n - 1].hasschema && !migc__nextpending(m, &t, limit);
	/* Rows and migrations side by side; migrations without a row are
	** pending, which nextpending has looked at up to limit. */
	migc__entriesbegin(&e, m->set, &t);
	while (clean && migc__nextentry(&e, &r, &mig)) {
		struct verdict v;

		if (!r)
			continue;
		migc__verdict(m, r, mig, migc__newest(&t), 1, &v);
		clean = v.kind == MIGC_APPLIED;
	}
	migc__freetrack(&t);
	/* Repeatable migrations are to run when their checksums changed. */
	if (clean && m->set->nrepeatables) {
		int due = 1;

		clean = migc__repeatablesdue(m, &due) == MIGC_OK && due == 0;
		migc__clearerr(m);
	}
	return clean;
}

/*
** Run a transactional migration and record it, inside the open
** transaction or (how has MIGC__APPLY_BEGIN) in one it begins; commit
** when how has MIGC__APPLY_COMMIT. On failure the caller rolls back. A
** driver with xApply runs the statements, the session reset and the row
** in one go, and the COMMIT with them unless the foreign key check (a
** driver with xForeignKeyCheck) has to come first.
*/
static int
applytx(migc *m, const struct migc_migration *mig, int how, long long *ms)
{
	struct trackrow r;
	char at[32];
	long long t0 = migc__monotonicms();
	int rc;

	migc__makerow(&r, mig, at);
	r.done = r.total;
	if (m->drv->xApply) {
		int checkfirst = m->drv->xForeignKeyCheck != NULL;

		r.ms = -1;
		rc = m->drv->xApply(m, mig, &r, checkfirst ? how & ~MIGC__APPLY_COMMIT : how);
		if (rc == MIGC_OK)
			rc = migc__fkcheck(m, &mig->up);
		if (rc == MIGC_OK && (how & MIGC__APPLY_COMMIT) && checkfirst)
			rc = m->drv->xCommit(m);
		*ms = migc__monotonicms() - t0;
		return rc;
	}
	rc = (how & MIGC__APPLY_BEGIN) ? m->drv->xBegin(m) : MIGC_OK;
	if (rc == MIGC_OK)
		rc = migc__runstmts(m, &mig->up);
	if (rc == MIGC_OK)
		rc = migc__fkcheck(m, &mig->up);
	if (rc == MIGC_OK)
		rc = migc__sessionreset(m, rc, 0);
	if (rc == MIGC_OK) {
		r.ms = *ms = migc__monotonicms() - t0;
		rc = m->drv->xWriteRow(m, &r);
	}
	if (rc == MIGC_OK && (how & MIGC__APPLY_COMMIT))
		rc = m->drv->xCommit(m);
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

	migc__makerow(&r, mig, at);
	migc__prefixbegin(&sum);
	for (i = 0; i < (unsigned long)from; i++)
		migc__prefixadd(&sum, &mig->up, i);
	migc__prefixhex(&sum, done);
	r.done = from;
	r.done_checksum = done;
	rc = migc__endtx(m, m->drv->xWriteRow(m, &r));
	if (rc != MIGC_OK)
		return rc;
	for (i = (unsigned long)from; i < mig->up.nstmts; i++) {
		int attempt = 0;

		do {
			m->retryable = 0;
			rc = migc__exec(m, &mig->up, i);
		} while (rc != MIGC_OK && migc__retry(m, mig, &mig->up, attempt++));
		if (rc != MIGC_OK) {
			r.ms = migc__monotonicms() - t0;
			return migc__failedrow(m, rc, &r);
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

	rc = migc__lockedread(m, &t, VERIFY_UP);
	r = rc == MIGC_OK ? migc__findrow(&t, mig->version) : NULL;
	*still = rc == MIGC_OK && (from < 0 ? migc__nextpending(m, &t, to) == mig : r && migc__isfailed(r) && r->done == from);
	migc__freetrack(&t);
	if (rc == MIGC_OK && !*still)
		m->drv->xRollback(m);
	return rc;
}

/* Apply one pending migration, or go on with a failed no-transaction one
** from statement `from` (-1: a pending one). The transaction is open on
** entry (or, when !begun, left to xApply to begin) and closed on return.
** *outside says whether it had to be closed first (to set foreign keys,
** or for a no-transaction migration, or to retry without the session
** lock), which leaves what the caller read of the table out of date. */
static int
applyone(migc *m, const struct migc_migration *mig, int64_t to, long from, int begun, int sessionlocked,
         int *outside)
{
	const unsigned flags = mig->up.flags;
	int rc = MIGC_OK, locked = 0, still = 1;
	long long ms = 0;

	*outside = (flags & MIGC_NO_TRANSACTION) || migc__fkchange(m, flags);
	if (*outside) {
		rc = migc__setupoutside(m, &mig->up, &locked);
		if (rc == MIGC_OK)
			rc = relock(m, mig, to, from, &still);
	}
	if (rc == MIGC_OK && still) {
		if (flags & MIGC_NO_TRANSACTION) {
			rc = migc__sessionreset(m, applynotx(m, mig, from < 0 ? 0 : from, &ms), 0);
			/* Its statements may have set foreign_keys themselves. */
			m->fkcur = -1;
		} else {
			int attempt = 0;

			/* A retry's transaction is begun by xApply, or by applytx. */
			for (;;) {
				m->retryable = 0;
				rc = applytx(m, mig, begun ? MIGC__APPLY_COMMIT : MIGC__APPLY_BEGIN | MIGC__APPLY_COMMIT, &ms);
				if (rc == MIGC_OK)
					break;
				/* Some state outlives a rollback (PREPARE, PRAGMAs). */
				m->drv->xRollback(m);
				rc = migc__sessionreset(m, rc, 0);
				if (!migc__retry(m, mig, &mig->up, attempt++))
					break;
				begun = 0;
				/* Without the session lock (through a pooler) another
				** migrator may have applied mig during the wait: the
				** retry takes the lock and checks, as the first try did. */
				if (!sessionlocked) {
					*outside = 1;
					rc = relock(m, mig, to, from, &still);
					if (rc != MIGC_OK || !still)
						break;
					begun = 1;
				}
			}
		}
		if (rc == MIGC_OK && still)
			migc__emit(m, MIGC_EV_APPLIED, mig, ms, NULL, 0);
	}
	if (locked)
		rc = migc__unlocksession(m, rc);
	return rc;
}

/* One try of upsingle; *failed: the migration whose statement failed. */
static int
singleonce(migc *m, int64_t to, const struct migc_migration **failed)
{
	const struct migc_migration **todo;
	unsigned long i, n = 0;
	struct track t;
	long long *ms;
	int rc;

	rc = migc__lockedread(m, &t, VERIFY_UP);
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

		if (migc__applied(&t, mig->version))
			continue;
		if (mig->up.flags & (MIGC_NO_TRANSACTION | MIGC_FOREIGN_KEYS_ON)) {
			rc = migc__seterr(m, MIGC_INPUT, "a single transaction (migc_set_single_transaction) cannot include %s: "
			            "it is a %s migration",
			            mig->up.file, (mig->up.flags & MIGC_NO_TRANSACTION) ? "no-transaction" : "foreign-keys-on");
			goto out;
		}
		todo[n++] = mig;
	}
	for (i = 0; i < n && rc == MIGC_OK; i++) {
		rc = applytx(m, todo[i], 0, &ms[i]);
		if (rc != MIGC_OK)
			*failed = todo[i];
	}
out:
	rc = migc__endtx(m, rc);
	for (i = 0; i < n && rc == MIGC_OK; i++)
		migc__emit(m, MIGC_EV_APPLIED, todo[i], ms[i], NULL, 0);
	migc__freetrack(&t);
	free(todo);
	free(ms);
	return rc;
}

/* All pending migrations up to `to` in one transaction: all or none; the
** whole transaction tried again after a lost lock wait or deadlock. */
static int
upsingle(migc *m, int64_t to)
{
	const struct migc_migration *failed;
	int rc = migc__runbegin(m), attempt = 0;

	while (rc == MIGC_OK) {
		failed = NULL;
		m->retryable = 0;
		rc = singleonce(m, to, &failed);
		if (rc == MIGC_OK || !failed)
			break;
		rc = migc__sessionreset(m, rc, 0);
		if (!migc__retry(m, failed, &failed->up, attempt++))
			break;
		rc = MIGC_OK;
	}
	return rc;
}

/*
** Through a transaction pooler, with t read under the lock: refuse the
** run, before it changes anything, when it would reach a no-transaction
** migration (pending, or failed and so to resume).
*/
static int
poolcheck(migc *m, const struct track *t, int64_t to)
{
	unsigned long i;

	for (i = 0; i < m->set->count && m->set->migrations[i].version <= to; i++) {
		const struct migc_migration *mig = &m->set->migrations[i];
		const struct trackrow *r = migc__findrow(t, mig->version);

		if ((mig->up.flags & MIGC_NO_TRANSACTION) && (!r || migc__isfailed(r)))
			return migc__poolrefusal(m, &mig->up, "applied");
	}
	return migc__poolrepeatables(m, to);
}

/*
** Apply what is pending up to `to`, one migration per transaction. Where
** the driver has a session lock (PostgreSQL) the run holds it throughout,
** so no other migrator comes between two migrations and each is one round
** trip (xApply begins its transaction); elsewhere, and through a
** transaction pooler, where a session lock would stay on a server session
** another client gets next, each transaction is the lock (SQLite: BEGIN
** IMMEDIATE; PostgreSQL: a transaction-level advisory lock) and reads the
** table again.
*/
static int
uprun(migc *m, int64_t to)
{
	const struct migc_migration *mig;
	struct track t;
	int rc, have = 0, runlock = 0, pooled = 0, poolchecked = 0, done = 0;

	migc__newtrack(&t);
	migc__clearerr(m);
	if (m->readonly)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	rc = migc__checkversion(m, to, "migc_up target version");
	if (rc == MIGC_OK)
		rc = migc__repeatablename(m);
	if (rc == MIGC_OK && !m->single_transaction && uptodate(m, to))
		return MIGC_OK;
	if (rc == MIGC_OK)
		rc = migc__pooled(m, &pooled);
	/* Repeatable migrations run after the single transaction, each in
	** its own, once nothing versioned is left (to is the newest). */
	if (rc == MIGC_OK && m->single_transaction) {
		rc = upsingle(m, to);
		if (rc == MIGC_OK && migc__repeatablesreached(m, to))
			rc = migc__uprepeatables(m);
		return rc;
	}
	if (rc == MIGC_OK)
		rc = migc__runbegin(m);
	if (rc == MIGC_OK && m->drv->xLockSession && !pooled) {
		rc = m->drv->xLockSession(m);
		runlock = rc == MIGC_OK;
	}
	while (rc == MIGC_OK) {
		const struct trackrow *r;
		long from = -1;
		int outside, begun;

		if (m->interrupted) {
			rc = MIGC_INTERRUPTED;
			break;
		}
		if (m->stop) {
			m->stop = 0;
			break;
		}
		rc = migc__lockedrefresh(m, &t, &have, runlock, &begun);
		if (rc == MIGC_OK && pooled && !poolchecked) {
			rc = poolcheck(m, &t, to);
			poolchecked = 1;
			if (rc != MIGC_OK)
				m->drv->xRollback(m);
		}
		if (rc != MIGC_OK)
			break;
		r = resumerow(m, &t);
		if (r) {
			mig = migc_find(m->set, r->version);
			from = r->done;
		} else {
			mig = migc__nextpending(m, &t, to);
		}
		if (!mig) {
			/* Killed between its last migration and recording the
			** schema, a run leaves the newest row without one: this
			** run records it. */
			if (t.n > 0 && !t.rows[t.n - 1].hasschema)
				m->unrecorded = 1;
			/* A table of an older layout is brought up here, in a
			** transaction of its own that applies nothing. */
			if (t.old && m->drv->xUpgradeTable && !begun && (rc = m->drv->xBegin(m)) == MIGC_OK)
				begun = 1;
			if (rc == MIGC_OK && t.old && m->drv->xUpgradeTable)
				rc = m->drv->xUpgradeTable(m);
			if (rc != MIGC_OK && begun)
				m->drv->xRollback(m);
			else if (begun)
				rc = m->drv->xCommit(m);
			/* Repeatable ones run once nothing versioned is left. */
			done = rc == MIGC_OK && !migc__nextpending(m, &t, INT64_MAX);
			break;
		}
		m->running = &mig->up;
		rc = applyone(m, mig, to, from, begun, runlock, &outside);
		if (rc == MIGC_OK)
			m->running = NULL;
		if (rc == MIGC_OK && from < 0 && !outside)
			rc = migc__addrow(m, &t, mig);
		else
			have = 0;       /* read the table again */
	}
	migc__freetrack(&t);
	if (done && m->set->nrepeatables)
		rc = migc__uprepeatables(m);
	if (runlock)
		rc = migc__unlocksession(m, rc);
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
	rc = migc__checkversion(m, to, "migc_up_dry_run target version");
	if (rc == MIGC_OK)
		rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc != MIGC_OK)
		return rc;
	rc = migc__verifytrack(m, &t, 1);
	for (i = 0; rc == MIGC_OK && i < m->set->count; i++) {
		unsigned long k;

		mig = &m->set->migrations[i];
		if (mig->version > to || migc__applied(&t, mig->version))
			continue;
		for (k = 0; k < mig->up.nstmts; k++)
			migc__emit(m, MIGC_EV_SQL, mig, 0, mig->up.sql + mig->up.stmts[k].offset,
			     mig->up.stmts[k].length);
	}
	/* Repeatable ones would run after, when up reaches the newest. */
	if (rc == MIGC_OK && migc__repeatablesreached(m, to))
		rc = migc__dryrepeatables(m);
	migc__freetrack(&t);
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
	return migc__runend(m, migc__recorded(m, migc__stopped(m, uprun(m, to), "applied")));
}
