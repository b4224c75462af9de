/*
** repair.c: changing the tracking table without running migrations:
** migc_baseline (adopt an existing database) and migc_repair (clear a
** failed record, accept deliberate edits).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "engine.h"

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
	rc = migc__lockedread(m, &t, VERIFY_DOWN);
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
		migc__makerow(&r, &m->set->migrations[i], at);
		r.done = r.total;
		rc = m->drv->xWriteRow(m, &r);
	}
	rc = migc__endtx(m, rc);
	if (rc != MIGC_OK)
		return rc;
	for (i = 0; i < m->set->count && m->set->migrations[i].version <= to; i++)
		migc__emit(m, MIGC_EV_BASELINED, &m->set->migrations[i], 0, NULL, 0);
	return MIGC_OK;
}

int
migc_baseline(migc *m, int64_t to)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	m->nchanged = 0;
	return migc__recorded(m, baselinerun(m, to));
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
	rc = migc__lockedread(m, &t, VERIFY_NONE);
	if (rc != MIGC_OK)
		return rc;
	if (what == MIGC_REPAIR_CLEAR_FAILED) {
		r = migc__findrow(&t, version);
		if (!r || !migc__isfailed(r)) {
			rc = migc__seterr(m, MIGC_INPUT, "migc_repair with MIGC_REPAIR_CLEAR_FAILED: version %lld has no failed record",
			            (long long)version);
		} else {
			rc = m->drv->xDeleteRow(m, version);
			snprintf(text, sizeof(text), "cleared the failed record of version %lld (%s; %ld of %ld statements had run): "
			         "up runs it again from the start", (long long)version, r->name, r->done, r->total);
		}
		rc = migc__endtx(m, rc);
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

		struct verdict v;

		mig = migc_find(m->set, row->version);
		migc__verdict(m, row, mig, migc__newest(&t), 0, &v);
		if (v.kind != MIGC_EDITED && v.kind != MIGC_ACCEPTED && v.kind != MIGC_APPLIED_EOL)
			continue;
		old[i] = row->checksum;
		row->checksum = migc__trackstrdup(&t, mig->checksum);
		row->raw_checksum = migc__trackstrdup(&t, mig->raw_checksum);
		rc = row->checksum && row->raw_checksum ? m->drv->xWriteRow(m, row) : migc__seterr(m, MIGC_NOMEM, "out of memory");
		n++;
	}
	rc = migc__endtx(m, rc);
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
	free(old);
	migc__freetrack(&t);
	return rc;
}
