/*
** verify.c: compare the tracking table with the embedded set, on the
** verdicts of track.c: verify's message (every problem, one per line, and
** the notices), and the states status reports.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"

static const char *
filename(const struct migc_migration *mig)
{
	return mig->up.file;
}

/* Describe where a failed no-transaction migration stopped, and how to go on. */
static int
addfailed(migc *m, const struct trackrow *r, const struct migc_migration *mig)
{
	unsigned long line = 0, col = 0;

	if (!mig)
		return MIGC_OK;   /* reported as unknown */
	if (r->done >= r->total)
		return migc__adderr(m, "reverting %s failed: %s; fix the database by hand, then run migc_repair with "
		              "MIGC_REPAIR_CLEAR_FAILED for version %lld", mig->up.file, r->error ? r->error : "it was interrupted",
		              (long long)r->version);
	if ((unsigned long)r->done < mig->up.nstmts)
		migc__stmtpos(&mig->up, (unsigned long)r->done, -1, &line, &col);
	migc__adderr(m, "%s did not finish: statement %ld of %ld (%s:%lu) %s%s", mig->up.file, r->done + 1, r->total,
	       mig->up.file, line, r->error ? "failed: " : "was interrupted", r->error ? r->error : "");
	if (migc__resumable(r, mig) && r->done == 0)
		return migc__adderr(m, "  no statement of it had run: once the cause is fixed, run migc_up with migc_set_resume "
		              "to run it from its first statement; or run migc_repair with MIGC_REPAIR_CLEAR_FAILED for "
		              "version %lld", (long long)r->version);
	if (migc__resumable(r, mig))
		return migc__adderr(m, "  statements 1 to %ld are unchanged: once the cause is fixed, run migc_up with "
		              "migc_set_resume to go on at statement %ld; or undo its changes by hand and run migc_repair "
		              "with MIGC_REPAIR_CLEAR_FAILED for version %lld",
		              r->done, r->done + 1, (long long)r->version);
	return migc__adderr(m, "  the statements before it changed since, so it cannot resume: fix the database by hand, "
	              "then run migc_repair with MIGC_REPAIR_CLEAR_FAILED for version %lld", (long long)r->version);
}

/* The notice of a migration another process is applying or reverting. */
static void
noterunning(migc *m, const struct trackrow *r, const struct migc_migration *mig, long pid)
{
	char note[256];

	if (pid < 0 && migc__downstarted(r))
		snprintf(note, sizeof(note), "%s was being reverted by another process as this read it; that has finished since",
		         filename(mig));
	else if (pid < 0)
		snprintf(note, sizeof(note), "%s was being applied by another process as this read it; that has finished since",
		         filename(mig));
	else if (migc__downstarted(r))
		snprintf(note, sizeof(note), "%s is being reverted by another process (pid %ld): %s", filename(mig), pid, r->error);
	else
		snprintf(note, sizeof(note), "%s is being applied by another process (pid %ld): statement %ld of %ld",
		         filename(mig), pid, r->done + 1, r->total);
	migc__emit(m, MIGC_EV_NOTICE, mig, 0, note, strlen(note));
}

/* The message or notice for one applied migration's verdict. */
static int
reportrow(migc *m, const struct trackrow *r, const struct migc_migration *mig, const struct verdict *v)
{
	char note[512];

	switch (v->kind) {
	case MIGC_FAILED:
		return v->problem ? addfailed(m, r, mig) : MIGC_OK;
	case MIGC_RUNNING:
		noterunning(m, r, mig, v->pid);
		return MIGC_OK;
	case MIGC_ACCEPTED:
		snprintf(note, sizeof(note), "%s: the database recorded %s, accepted by -- migc:also-accept (edited on purpose)",
		         filename(mig), r->checksum);
		break;
	case MIGC_EDITED:
		/* And the three ways forward, one a line. */
		return migc__adderr(m, "%s was edited after it was applied (database has %s, this binary has %s)",
		                    filename(mig), r->checksum, mig->checksum) |
		       migc__adderr(m, "  undo the edit: the file as it was applied has %s; or", r->checksum) |
		       migc__adderr(m, "  keep it, recording its checksum in this database: migc_repair with "
		                    "MIGC_REPAIR_ACCEPT_CHECKSUMS; or") |
		       migc__adderr(m, "  keep it for every database: add the line -- migc:also-accept %s at the top of %s",
		                    r->checksum, filename(mig));
	case MIGC_APPLIED_EOL:
		snprintf(note, sizeof(note), "%s: only line endings or a byte-order mark changed since it was applied; the SQL is the same",
		         filename(mig));
		break;
	default:
		return MIGC_OK;
	}
	migc__emit(m, MIGC_EV_NOTICE, mig, 0, note, strlen(note));
	return MIGC_OK;
}

/* The rows this binary does not know, as one problem. */
static int
reportunknown(migc *m, const struct track *t, unsigned long nunknown)
{
	const struct migc_set *set = m->set;
	int nomem;
	size_t j;

	nomem = migc__adderr(m, "the database is ahead of this binary: built with %lu migrations (newest %lld), "
	       "database has %lu applied (newest %lld), %lu of them unknown to this binary",
	       set->count, set->count ? (long long)set->migrations[set->count - 1].version : 0LL,
	       (unsigned long)t->n, (long long)migc__newest(t), nunknown);
	for (j = 0; j < t->n; j++)
		if (!migc_find(set, t->rows[j].version))
			nomem |= migc__adderr(m, "  unknown: version %lld (%s), applied %s",
			       (long long)t->rows[j].version, t->rows[j].name, t->rows[j].applied_at);
	return nomem;
}

/*
** Check the rows against the set. forup: pending migrations older than
** the newest applied one are a problem unless allowed. Returns MIGC_OK or
** MIGC_VERIFY with one line per problem on the handle (the applied
** migrations' in version order, then the unknown rows, then the out of
** order ones); line-ending-only differences are sent as notices.
*/
int
migc__verifytrack(migc *m, const struct track *t, int forup)
{
	const struct migc_migration *mig;
	const struct trackrow *r;
	unsigned long nunknown = 0;
	struct entries e;
	struct verdict v;
	int problems = 0, nomem = 0;

	migc__clearerr(m);
	if (t->n == 0 && forup && m->set->count > 0) {
		const char *tool, *table;
		int rc = migc__othertool(m, &tool, &table);

		if (rc != MIGC_OK)
			return rc;
		if (tool)
			return migc__seterr(m, MIGC_VERIFY, "this database holds %s's tracking table %s, and migc has recorded "
			                    "nothing here: migc_up would run every migration again; record what %s applied with "
			                    "migc_adopt for %s first (or, when %s is not %s's, leave it out with "
			                    "migc_set_ignore_tables)", tool, table, tool, tool, table, tool);
	}
	migc__entriesbegin(&e, m->set, t);
	while (migc__nextentry(&e, &r, &mig)) {
		if (!r)
			continue;
		migc__verdict(m, r, mig, migc__newest(t), forup, &v);
		problems += v.problem;
		if (v.kind == MIGC_UNKNOWN)
			nunknown++;
		else
			nomem |= reportrow(m, r, mig, &v);
	}
	if (nunknown)
		nomem |= reportunknown(m, t, nunknown);
	migc__entriesbegin(&e, m->set, t);
	while (migc__nextentry(&e, &r, &mig)) {
		if (r)
			continue;
		migc__verdict(m, r, mig, migc__newest(t), forup, &v);
		problems += v.problem;
		if (v.problem)
			nomem |= migc__adderr(m, "%s is pending but older than the newest applied migration (version %lld): "
			       "out of order (set migc_set_allow_out_of_order to apply it anyway)",
			       filename(mig), (long long)migc__newest(t));
	}
	if (nomem)
		return MIGC_NOMEM;
	return problems ? MIGC_VERIFY : MIGC_OK;
}

int
migc_verify(migc *m)
{
	struct track t;
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc == MIGC_OK)
		rc = migc__verifytrack(m, &t, 1);
	migc__freetrack(&t);
	return rc;
}

/* Room for the strings of one row, packed after the state array. */
static size_t
rowsize(const struct trackrow *r)
{
	const char *origin = migc__origin(r);

	return strlen(r->name) + strlen(r->checksum) + strlen(r->applied_at) + 3 +
	       (r->error ? strlen(r->error) + 1 : 0) + (origin ? strlen(origin) + 1 : 0);
}

static const char *
pack(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = *p;

	memcpy(d, s, n);
	*p += n;
	return d;
}

static void
fillrow(struct migc_state *s, const struct trackrow *r, char **p)
{
	s->name = pack(p, r->name);
	s->checksum = pack(p, r->checksum);
	s->applied_at = pack(p, r->applied_at);
	s->error = r->error ? pack(p, r->error) : NULL;
	s->origin = migc__origin(r) ? pack(p, migc__origin(r)) : NULL;
	s->ms = r->ms;
	s->statements_done = r->done;
	s->statements_total = r->total;
}

int
migc_status(migc *m, struct migc_state **states, size_t *n)
{
	const struct migc_migration *mig;
	const struct migc_set *set;
	const struct trackrow *r;
	struct migc_state *s;
	size_t j, k, bytes = 0;
	struct entries e;
	struct track t;
	char *p;
	int rc;

	if (states)
		*states = NULL;
	if (n)
		*n = 0;
	rc = migc__checkhandle(m, 1);
	if (rc != MIGC_OK)
		return rc;
	if (!states || !n)
		return migc__seterr(m, MIGC_INPUT, "migc_status: states and n must not be NULL");
	set = m->set;
	migc__clearerr(m);
	rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc != MIGC_OK)
		return rc;
	for (j = 0; j < t.n; j++)
		bytes += rowsize(&t.rows[j]);
	s = malloc((set->count + t.n) * sizeof(*s) + bytes + 1);
	if (!s) {
		migc__freetrack(&t);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	p = (char *)(s + set->count + t.n);
	migc__entriesbegin(&e, set, &t);
	for (k = 0; migc__nextentry(&e, &r, &mig); k++) {
		struct verdict v;

		migc__verdict(m, r, mig, migc__newest(&t), 1, &v);
		memset(&s[k], 0, sizeof(s[k]));
		s[k].version = r ? r->version : mig->version;
		s[k].kind = v.kind;
		s[k].problem = v.problem;
		s[k].migration = mig;
		if (r)
			fillrow(&s[k], r, &p);
	}
	migc__freetrack(&t);
	*states = s;
	*n = k;
	return MIGC_OK;
}
