/*
** plan.c: compare the tracking table with the embedded set. This is
** where "edited", "ahead of this binary", "out of order" and "did not
** finish" are decided, for status, verify and before every change.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "sha256.h"

void
migc__freetrack(struct track *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->rows[i].name);
		free(t->rows[i].checksum);
		free(t->rows[i].raw_checksum);
		free(t->rows[i].applied_at);
		free(t->rows[i].error);
		free(t->rows[i].done_checksum);
	}
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

const struct migc_migration *
migc_find(const struct migc_set *set, int64_t version)
{
	unsigned long lo = 0, hi = set ? set->count : 0;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		int64_t v = set->migrations[mid].version;

		if (v == version)
			return &set->migrations[mid];
		if (v < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
migc__checkmarker(migc *m, const char *text)
{
	const char *p = text ? strstr(text, TRACK_MARKER) : NULL;
	long layout;

	if (!p)
		return migc__seterr(m, MIGC_ERROR, "the table %s was not made by migc (it has no \"" TRACK_MARKER "N\" mark): "
		              "set another name with migc_set_table", m->table);
	layout = strtol(p + strlen(TRACK_MARKER), NULL, 10);
	if (layout > TRACK_LAYOUT)
		return migc__seterr(m, MIGC_VERIFY, "the database was written by a newer migc (tracking table layout %ld; this "
		              "one knows up to %d): migrate it with that migc or a newer one", layout, TRACK_LAYOUT);
	return MIGC_OK;
}

/* Room for one more row at the end of t: 0, or -1 when out of memory. */
int
migc__growtrack(struct track *t)
{
	struct trackrow *p;
	size_t ncap;

	if (t->n < t->cap)
		return 0;
	ncap = t->cap ? t->cap * 2 : 64;
	p = realloc(t->rows, ncap * sizeof(*p));
	if (!p)
		return -1;
	t->rows = p;
	t->cap = ncap;
	return 0;
}

static int
readrows(migc *m, struct track *t, int brief)
{
	t->rows = NULL;
	t->n = t->cap = 0;
	return m->drv->xReadTable(m, t, brief);
}

int
migc__readtrack(migc *m, struct track *t)
{
	return readrows(m, t, 0);
}

int
migc__readbrief(migc *m, struct track *t)
{
	return readrows(m, t, 1);
}

int
migc__stmtpos(const struct migc_script *sc, unsigned long i, long erroff,
        unsigned long *line, unsigned long *col)
{
	const struct migc_stmt *st = &sc->stmts[i];
	unsigned long p, start = st->offset, end = st->offset;

	*line = st->line;
	if (erroff >= 0 && (unsigned long)erroff <= st->length)
		end = st->offset + (unsigned long)erroff;
	while (start > 0 && sc->sql[start - 1] != '\n')
		start--;
	for (p = st->offset; p < end; p++) {
		if (sc->sql[p] == '\n') {
			++*line;
			start = p + 1;
		}
	}
	*col = end - start + 1;
	return 0;
}

static const char *
filename(const struct migc_migration *mig)
{
	return mig->up.file;
}

/* The newest version the table records, 0 when it is empty. */
static int64_t
newest(const struct track *t)
{
	return t->n ? t->rows[t->n - 1].version : 0;
}

void
migc__prefixbegin(struct sha256 *s)
{
	migc__sha256init(s);
}

void
migc__prefixadd(struct sha256 *s, const struct migc_script *sc, unsigned long i)
{
	migc__sha256update(s, sc->sql + sc->stmts[i].offset, sc->stmts[i].length);
	migc__sha256update(s, "", 1);
}

void
migc__prefixhex(const struct sha256 *s, char out[68])
{
	struct sha256 copy = *s;
	unsigned char digest[32];

	migc__sha256final(&copy, digest);
	memcpy(out, "c1:", 3);
	migc__sha256hex(digest, out + 3);
}

int
migc_also_accepts(const struct migc_migration *mig, const char *checksum)
{
	unsigned long i;

	for (i = 0; mig && checksum && i < mig->naccept; i++)
		if (strcmp(mig->accept[i], checksum) == 0)
			return 1;
	return 0;
}

int
migc__isfailed(const struct trackrow *r)
{
	return r->done < r->total || r->error != NULL;
}

/* Is r's no-transaction down running, or was it interrupted? */
static int
downstarted(const struct trackrow *r)
{
	return r->error && strncmp(r->error, DOWN_PROGRESS, strlen(DOWN_PROGRESS)) == 0;
}

/* Is r a no-transaction migration (or down) another process is running
** now? Returns its pid, or 0 (also when the driver cannot tell). */
static long
running(migc *m, const struct trackrow *r)
{
	if (!m->drv->xLockHolder || !(downstarted(r) || (!r->error && r->done < r->total)))
		return 0;
	return m->drv->xLockHolder(m);
}

int
migc__resumable(const struct trackrow *r, const struct migc_migration *mig)
{
	struct sha256 s;
	char sum[68];
	long i;

	if (!mig || r->done >= r->total || !r->done_checksum || r->done < 0 ||
	    (unsigned long)r->done > mig->up.nstmts || !(mig->up.flags & MIGC_NO_TRANSACTION))
		return 0;
	migc__prefixbegin(&s);
	for (i = 0; i < r->done; i++)
		migc__prefixadd(&s, &mig->up, (unsigned long)i);
	migc__prefixhex(&s, sum);
	return strcmp(sum, r->done_checksum) == 0;
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
		              "MIGC_REPAIR_CLEAR_FAILED for version %lld", mig->up.file, r->error ? r->error : "it was interrupted", (long long)r->version);
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

/*
** Check the rows against the set. forup: pending migrations older than
** the newest applied one are a problem unless allowed. Returns MIGC_OK or
** MIGC_VERIFY with one line per problem on the handle; line-ending-only
** differences are sent as notices.
*/
int
migc__verifytrack(migc *m, const struct track *t, int forup)
{
	const struct migc_set *set = m->set;
	unsigned long i, nunknown = 0;
	int problems = 0, nomem = 0;
	size_t j;

	migc__clearerr(m);
	for (j = 0; j < t->n; j++) {
		const struct trackrow *r = &t->rows[j];
		const struct migc_migration *mig = migc_find(set, r->version);

		if (!mig) {
			nunknown++;
			continue;
		}
		if (migc__isfailed(r)) {
			long pid;

			/* Its file may have been edited to fix the failing statement. */
			if (m->resume && migc__resumable(r, mig))
				continue;
			if ((pid = running(m, r)) > 0) {
				char note[256];

				if (downstarted(r))
					snprintf(note, sizeof(note), "%s is being reverted by another process (pid %ld): %s",
					         filename(mig), pid, r->error);
				else
					snprintf(note, sizeof(note), "%s is being applied by another process (pid %ld): statement %ld of %ld",
					         filename(mig), pid, r->done + 1, r->total);
				migc__emit(m, MIGC_EV_NOTICE, mig, 0, note, strlen(note));
				continue;
			}
			problems++;
			nomem |= addfailed(m, r, mig);
		} else if (strcmp(r->checksum, mig->checksum) != 0 && migc_also_accepts(mig, r->checksum)) {
			char note[512];

			snprintf(note, sizeof(note), "%s: the database recorded %s, accepted by -- migc:also-accept (edited on purpose)",
			         filename(mig), r->checksum);
			migc__emit(m, MIGC_EV_NOTICE, mig, 0, note, strlen(note));
		} else if (strcmp(r->checksum, mig->checksum) != 0) {
			problems++;
			nomem |= migc__adderr(m, "%s was edited after it was applied (database has %s, this binary has %s)",
			                filename(mig), r->checksum, mig->checksum);
		} else if (strcmp(r->raw_checksum, mig->raw_checksum) != 0) {
			char note[512];

			snprintf(note, sizeof(note), "%s: only line endings or a byte-order mark changed since it was applied; the SQL is the same",
			         filename(mig));
			migc__emit(m, MIGC_EV_NOTICE, mig, 0, note, strlen(note));
		}
	}
	if (nunknown) {
		problems++;
		nomem |= migc__adderr(m, "the database is ahead of this binary: built with %lu migrations (newest %lld), "
		       "database has %lu applied (newest %lld), %lu of them unknown to this binary",
		       set->count, set->count ? (long long)set->migrations[set->count - 1].version : 0LL,
		       (unsigned long)t->n, (long long)newest(t), nunknown);
		for (j = 0; j < t->n; j++)
			if (!migc_find(set, t->rows[j].version))
				nomem |= migc__adderr(m, "  unknown: version %lld (%s), applied %s",
				       (long long)t->rows[j].version, t->rows[j].name, t->rows[j].applied_at);
	}
	if (forup && !m->allow_out_of_order) {
		for (i = 0, j = 0; i < set->count; i++) {
			const struct migc_migration *mig = &set->migrations[i];

			while (j < t->n && t->rows[j].version < mig->version)
				j++;
			if ((j < t->n && t->rows[j].version == mig->version) || mig->version > newest(t))
				continue;
			problems++;
			nomem |= migc__adderr(m, "%s is pending but older than the newest applied migration (version %lld): "
			       "out of order (set migc_set_allow_out_of_order to apply it anyway)",
			       filename(mig), (long long)newest(t));
		}
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
	rc = migc__readtrack(m, &t);
	if (rc == MIGC_OK)
		rc = migc__verifytrack(m, &t, 1);
	migc__freetrack(&t);
	return rc;
}

/* Room for the strings of one row, packed after the state array. */
static size_t
rowsize(const struct trackrow *r)
{
	return strlen(r->name) + strlen(r->checksum) + strlen(r->applied_at) + 3 +
	       (r->error ? strlen(r->error) + 1 : 0);
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
	s->ms = r->ms;
	s->statements_done = r->done;
	s->statements_total = r->total;
}

int
migc_status(migc *m, struct migc_state **states, size_t *n)
{
	const struct migc_set *set;
	struct migc_state *s;
	size_t j, k = 0, bytes = 0;
	unsigned long i;
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
	rc = migc__readtrack(m, &t);
	if (rc != MIGC_OK) {
		migc__freetrack(&t);
		return rc;
	}
	for (j = 0; j < t.n; j++)
		bytes += rowsize(&t.rows[j]);
	s = malloc((set->count + t.n) * sizeof(*s) + bytes + 1);
	if (!s) {
		migc__freetrack(&t);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	p = (char *)(s + set->count + t.n);
	for (i = 0, j = 0; i < set->count || j < t.n; k++) {
		const struct migc_migration *mig = i < set->count ? &set->migrations[i] : NULL;
		const struct trackrow *r = j < t.n ? &t.rows[j] : NULL;

		memset(&s[k], 0, sizeof(s[k]));
		if (r && (!mig || r->version < mig->version)) {
			s[k].version = r->version;
			s[k].kind = MIGC_UNKNOWN;
			fillrow(&s[k], r, &p);
			j++;
		} else if (!r || mig->version < r->version) {
			s[k].version = mig->version;
			s[k].migration = mig;
			s[k].kind = mig->version < newest(&t) ? MIGC_OUT_OF_ORDER : MIGC_PENDING;
			i++;
		} else {
			s[k].version = mig->version;
			s[k].migration = mig;
			fillrow(&s[k], r, &p);
			s[k].kind = migc__isfailed(r) ? (running(m, r) > 0 ? MIGC_RUNNING : MIGC_FAILED) :
			            strcmp(r->checksum, mig->checksum) != 0 ?
			                (migc_also_accepts(mig, r->checksum) ? MIGC_ACCEPTED : MIGC_EDITED) :
			            strcmp(r->raw_checksum, mig->raw_checksum) != 0 ? MIGC_APPLIED_EOL :
			            MIGC_APPLIED;
			i++;
			j++;
		}
	}
	migc__freetrack(&t);
	*states = s;
	*n = k;
	return MIGC_OK;
}
