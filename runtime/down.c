/*
** down.c: migc_down and migc_redo: reverting applied migrations newest
** first, refusing before anything runs when one on the way has no down.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "engine.h"

/*
** In a transaction just begun (after setting up, outside one, what a
** down needs): read the table and check that version is still the newest
** applied migration, as the run found it; *t keeps the rows, *still says.
*/
static int
relocknewest(migc *m, int64_t version, struct track *t, int *still)
{
	int rc = migc__lockedread(m, t, VERIFY_DOWN);

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
	rc = migc__endtx(m, m->drv->xWriteRow(m, &r));
	for (i = 0; rc == MIGC_OK && i < sc->nstmts; i++) {
		rc = migc__exec(m, sc, i);
		if (rc != MIGC_OK)
			return migc__sessionreset(m, migc__failedrow(m, rc, &r), 0);
		downprogress(note, sizeof(note), sc, i + 1);
		rc = m->drv->xWriteRow(m, &r);
	}
	rc = migc__sessionreset(m, rc, 0);
	if (rc != MIGC_OK)
		return rc;
	rc = migc__lockedread(m, &t, VERIFY_NONE);
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
	return migc__endtx(m, rc);
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
	struct track t;
	long long t0 = migc__monotonicms();
	int rc = MIGC_OK, locked = 0, still = 1;

	migc__newtrack(&t);
	if ((sc->flags & MIGC_NO_TRANSACTION) || migc__fkchange(m, sc->flags)) {
		rc = migc__setupoutside(m, sc, &locked);
		if (rc == MIGC_OK)
			rc = relocknewest(m, mig->version, &t, &still);
	}
	if (rc == MIGC_OK && still && (sc->flags & MIGC_NO_TRANSACTION)) {
		rc = revertnotx(m, mig, &t.rows[t.n - 1]);
		m->fkcur = -1;          /* its statements may have set foreign_keys */
	} else if (rc == MIGC_OK && still) {
		rc = migc__runstmts(m, sc);
		if (rc == MIGC_OK)
			rc = migc__fkcheck(m, sc);
		if (rc == MIGC_OK)
			rc = migc__sessionreset(m, rc, 0);
		if (rc == MIGC_OK)
			rc = m->drv->xDeleteRow(m, mig->version);
		rc = migc__endtx(m, rc);
		if (rc != MIGC_OK)
			rc = migc__sessionreset(m, rc, 0);
	}
	migc__freetrack(&t);
	if (locked)
		rc = migc__unlocksession(m, rc);
	if (rc == MIGC_OK && still)
		migc__emit(m, MIGC_EV_REVERTED, mig, migc__monotonicms() - t0, NULL, 0);
	return rc;
}

/* Is every migration down() would revert in t reversible, with a down
** file that can run here (no no-transaction one through a pooler)? */
static int
checkdowns(migc *m, const struct track *t, int steps, int64_t to)
{
	size_t i, n = 0;
	int pooled, rc = migc__pooled(m, &pooled);

	for (i = t->n; rc == MIGC_OK && i > 0 && (steps > 0 ? n < (size_t)steps : t->rows[i - 1].version > to); i--, n++) {
		const struct migc_migration *mig = migc_find(m->set, t->rows[i - 1].version);

		if (mig && mig->irreversible)
			return migc__seterr(m, MIGC_INPUT, "%s is irreversible (-- migc:irreversible): %s: nothing was reverted",
			                    mig->up.file, mig->irreversible);
		if (mig && !mig->down.file)
			return migc__seterr(m, MIGC_INPUT, "%s has no down migration: nothing was reverted", mig->up.file);
		if (mig && pooled && (mig->down.flags & MIGC_NO_TRANSACTION))
			return migc__poolrefusal(m, &mig->down, "reverted");
	}
	return rc;
}

/*
** Revert newest first, each in a transaction that re-reads the table and
** picks the newest row at that moment, so concurrent migrators do not
** trip each other; steps > 0 reverts that many, else down to `to`. A
** transactional down that lost a lock wait or a deadlock is tried again
** (migc__retry); a no-transaction one has marked its row failed.
*/
static int
downrun(migc *m, int steps, int64_t to)
{
	const struct migc_migration *mig;
	struct track t;
	int rc, attempt = 0;

	migc__clearerr(m);
	if (m->readonly)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	if (steps <= 0 && to != 0 && !migc_find(m->set, to))
		return migc__seterr(m, MIGC_INPUT, "migc_down target version: no migration has version %lld", (long long)to);
	/* Refuse before running anything when one on the way has no down. */
	rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc == MIGC_OK)
		rc = migc__verifytrack(m, &t, 0);
	if (rc == MIGC_OK)
		rc = checkdowns(m, &t, steps, to);
	migc__freetrack(&t);
	if (rc == MIGC_OK)
		rc = migc__runbegin(m);
	/* m->nchanged counts the migrations this run reverted. */
	while (rc == MIGC_OK) {
		rc = migc__lockedread(m, &t, VERIFY_DOWN);
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
		if (m->interrupted) {
			rc = MIGC_INTERRUPTED;
			break;
		}
		m->running = &mig->down;
		m->retryable = 0;
		rc = revertone(m, mig);
		if (rc == MIGC_OK) {
			m->running = NULL;
			attempt = 0;
		} else if (!(mig->down.flags & MIGC_NO_TRANSACTION) && migc__retry(m, mig, &mig->down, attempt++)) {
			/* A lost lock wait or deadlock, rolled back: again. */
			m->running = NULL;
			rc = MIGC_OK;
		}
	}
	return rc;
}

/* Can redo's up of version v run here? Not a no-transaction one through
** a pooler: refused before the down runs (the down's own are refused by
** checkdowns). */
static int
redoable(migc *m, int64_t v)
{
	const struct migc_migration *mig = migc_find(m->set, v);
	int pooled, rc = migc__pooled(m, &pooled);

	if (rc == MIGC_OK && pooled && mig && (mig->up.flags & MIGC_NO_TRANSACTION))
		rc = migc__poolrefusal(m, &mig->up, "reverted");
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
	rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc != MIGC_OK)
		return rc;
	if (t.n == 0) {
		migc__freetrack(&t);
		return migc__seterr(m, MIGC_INPUT, "redo: no migration is applied");
	}
	v = t.rows[t.n - 1].version;
	migc__freetrack(&t);
	rc = redoable(m, v);
	if (rc == MIGC_OK)
		rc = migc_down(m, 1, 0);
	if (rc == MIGC_OK)
		rc = migc_up(m, v);
	return rc;
}

int
migc_down(migc *m, int steps, int64_t to)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	m->nchanged = 0;
	rc = downrun(m, steps, to);
	/* What a down reverts may be what repeatable migrations built on
	** (a view of a dropped table): they run again at the next up. */
	if (rc == MIGC_OK && m->nchanged > 0 && m->set->nrepeatables)
		rc = migc__forgetrepeatables(m);
	return migc__runend(m, migc__recorded(m, migc__stopped(m, rc, "reverted")));
}
