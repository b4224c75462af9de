/*
** track.c: the tracking table's rows as the engine holds them, and the
** one verdict on each: whether a migration is applied clean, edited,
** accepted, applied with other line endings, failed, running, unknown,
** pending or out of order. status, verify, up's start-up check, repair
** and the command line all decide through migc__verdict.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "digest.h"
#include "sha256.h"
#include "grow.h"

/*
** The strings of a track's rows, in blocks freed with it: a read of a
** thousand rows makes a handful of allocations, not one for each cell
** (the start-up check of an application pays for every one).
*/
struct trackstrings {
	struct trackstrings *next;
	size_t used, size;
	char s[];
};

enum { STRINGS_BLOCK = 16384 };

/* t with no rows, for a read to fill. */
void
migc__newtrack(struct track *t)
{
	t->rows = NULL;
	t->n = t->cap = 0;
	t->old = 0;
	t->strings = NULL;
}

void
migc__freetrack(struct track *t)
{
	while (t->strings) {
		struct trackstrings *next = t->strings->next;

		free(t->strings);
		t->strings = next;
	}
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}

/* A copy of s that lives as long as t's rows, or NULL when out of memory. */
char *
migc__trackstrdup(struct track *t, const char *s)
{
	size_t n = strlen(s) + 1;
	struct trackstrings *b = t->strings;

	if (!b || b->size - b->used < n) {
		size_t size = n > STRINGS_BLOCK ? n : STRINGS_BLOCK;

		if (!(b = malloc(sizeof(*b) + size)))
			return NULL;
		b->next = t->strings;
		b->used = 0;
		b->size = size;
		t->strings = b;
	}
	memcpy(b->s + b->used, s, n);
	b->used += n;
	return b->s + b->used - n;
}

/* Room for one more row at the end of t: 0, or -1 when out of memory. */
int
migc__growtrack(struct track *t)
{
	struct trackrow *p = migc__grow(t->rows, t->n, &t->cap, sizeof(*t->rows));

	if (!p)
		return -1;
	t->rows = p;
	return 0;
}

/* Room for n rows in all, for a read that knows how many it has: 0, or
** -1 when out of memory. */
int
migc__reservetrack(struct track *t, size_t n)
{
	struct trackrow *p;

	if (n <= t->cap)
		return 0;
	if (n > SIZE_MAX / sizeof(*t->rows) || !(p = realloc(t->rows, n * sizeof(*t->rows))))
		return -1;
	t->rows = p;
	t->cap = n;
	return 0;
}

/*
** The tracking table, layout 1 (README, *The tracking table*): each
** column's type in each database. Reads select the first ten in this
** order and then "schema_fingerprint IS NOT NULL" (enum trackcol).
*/
static const struct {
	const char *name, *sqlite, *postgres;
	int brief;              /* read by MIGC__READ_BRIEF too */
} columns[] = {
	{ "version", "INTEGER PRIMARY KEY NOT NULL", "bigint PRIMARY KEY", 1 },
	{ "name", "TEXT NOT NULL", "text NOT NULL", 0 },
	{ "checksum", "TEXT NOT NULL", "text NOT NULL", 1 },
	{ "raw_checksum", "TEXT NOT NULL", "text NOT NULL", 0 },
	{ "applied_at", "TEXT NOT NULL", "timestamptz NOT NULL", 0 },
	{ "execution_ms", "INTEGER NOT NULL", "bigint NOT NULL", 0 },
	{ "statements_done", "INTEGER NOT NULL", "integer NOT NULL", 1 },
	{ "statements_total", "INTEGER NOT NULL", "integer NOT NULL", 1 },
	{ "error", "TEXT", "text", 1 },
	{ "done_checksum", "TEXT", "text", 0 },
	{ "schema_fingerprint", "TEXT", "text", 1 },
	{ "schema_text", "TEXT", "text", 0 },
};

/* Append s to out[0..size), keeping it NUL-terminated. */
static void
put(char *out, size_t size, const char *s)
{
	size_t n = strlen(out);

	if (n + 1 < size)
		strncat(out, s, size - n - 1);
}

void
migc__trackdefinition(int postgres, char *out, size_t size)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		put(out, size, i ? ", " : "");
		put(out, size, columns[i].name);
		put(out, size, " ");
		put(out, size, postgres ? columns[i].postgres : columns[i].sqlite);
	}
}

void
migc__trackselect(const char *appliedat, int brief, char *out, size_t size)
{
	int i;

	out[0] = '\0';
	for (i = 0; i < TC_HASSCHEMA; i++) {
		if (brief && !columns[i].brief)
			continue;
		put(out, size, out[0] ? ", " : "");
		put(out, size, i == TC_APPLIED && appliedat ? appliedat : columns[i].name);
	}
	put(out, size, ", schema_fingerprint IS NOT NULL");
}

/* A row's cells by enum trackcol: at[col], where the read that brief says
** has column col in its result, or -1 when a brief read leaves it out. */
struct cells {
	const char *(*cell)(void *ctx, int col);
	void *ctx;
	int at[TC_HASSCHEMA + 1];
};

static void
cellsbegin(struct cells *c, const char *(*cell)(void *, int), void *ctx, int brief)
{
	int i, n = 0;

	c->cell = cell;
	c->ctx = ctx;
	for (i = 0; i <= TC_HASSCHEMA; i++)
		c->at[i] = !brief || i == TC_HASSCHEMA || columns[i].brief ? n++ : -1;
}

static const char *
cellat(const struct cells *c, int col)
{
	return c->at[col] < 0 ? NULL : c->cell(c->ctx, c->at[col]);
}

/*
** Column col as an integer, 0 for NULL. The database writes these in
** plain decimal: up to 18 digits are read here (no overflow), longer ones
** by strtoll, whose generality costs a read of a thousand rows more than
** the rest of taking them.
*/
static long long
cellint(const struct cells *c, int col)
{
	const char *s = cellat(c, col), *p;
	long long v = 0;

	if (!s)
		return 0;
	for (p = s + (*s == '-'); *p >= '0' && *p <= '9' && p - s < 18; p++)
		v = v * 10 + (*p - '0');
	if (*p >= '0' && *p <= '9')
		return strtoll(s, NULL, 10);
	return *s == '-' ? -v : v;
}

static int
celldup(struct track *t, const struct cells *c, int col, char **out)
{
	const char *s = cellat(c, col);

	*out = s ? migc__trackstrdup(t, s) : NULL;
	return !s || *out;
}

int
migc__takerow(struct track *t, const char *(*cell)(void *ctx, int col), void *ctx, int brief)
{
	struct cells c;
	const char *hasschema;
	struct trackrow *r;

	cellsbegin(&c, cell, ctx, brief);
	if (migc__growtrack(t) != 0)
		return MIGC_NOMEM;
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	r->version = cellint(&c, TC_VERSION);
	r->ms = cellint(&c, TC_MS);
	r->done = (long)cellint(&c, TC_DONE);
	r->total = (long)cellint(&c, TC_TOTAL);
	hasschema = cellat(&c, TC_HASSCHEMA);
	r->hasschema = hasschema && (hasschema[0] == 't' || hasschema[0] == '1');
	if (!celldup(t, &c, TC_NAME, &r->name) || !celldup(t, &c, TC_CHECKSUM, &r->checksum) ||
	    !celldup(t, &c, TC_RAW, &r->raw_checksum) || !celldup(t, &c, TC_APPLIED, &r->applied_at) ||
	    !celldup(t, &c, TC_ERROR, &r->error) || !celldup(t, &c, TC_DONESUM, &r->done_checksum))
		return MIGC_NOMEM;
	return r->checksum && (brief || r->raw_checksum) ? MIGC_OK : MIGC_ERROR;
}

int
migc__readtrack(migc *m, struct track *t, int how)
{
	int rc;

	migc__newtrack(t);
	rc = m->drv->xReadTable(m, t, how);
	if (rc != MIGC_OK)
		migc__freetrack(t);     /* the rows taken before the one that failed */
	return rc;
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

/* A row's done_checksum: "c1:" over the statements that ran, each
** followed by a NUL (README, *Checksums*). */
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
	migc__digestof("c1:", s, out);
}

/* The row of version, by binary search (rows are in version order). */
const struct trackrow *
migc__findrow(const struct track *t, int64_t version)
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

int
migc__applied(const struct track *t, int64_t version)
{
	return migc__findrow(t, version) != NULL;
}

int
migc__isfailed(const struct trackrow *r)
{
	return r->done < r->total || r->error != NULL;
}

int
migc__downstarted(const struct trackrow *r)
{
	return r->error && strncmp(r->error, DOWN_PROGRESS, strlen(DOWN_PROGRESS)) == 0;
}

/* How r, read a moment ago, is in the table now (see running). */
enum { ROW_SAME, ROW_FINISHED, ROW_CHANGED };

/*
** Read r's row again. The lookup leaves the handle's message alone
** (verify writes its problems there); a read that fails counts as the
** row being the same.
*/
static int
rownow(migc *m, const struct trackrow *r)
{
	char *kept = migc__setaside(m);
	const struct trackrow *now;
	struct track t;
	int how = ROW_SAME;

	if (migc__readtrack(m, &t, MIGC__READ_BRIEF) == MIGC_OK) {
		now = migc__findrow(&t, r->version);
		if (!now || (now->done >= now->total && !now->error))
			how = ROW_FINISHED;     /* a down that deleted it, an up that completed it */
		else if (now->done != r->done || now->total != r->total || strcmp(now->checksum, r->checksum) != 0 ||
		         (now->error ? !r->error || strcmp(now->error, r->error) != 0 : r->error != NULL))
			how = ROW_CHANGED;
	}
	migc__freetrack(&t);
	migc__putback(m, kept);
	return how;
}

/*
** Is r a no-transaction migration (or down) another process is running
** now? Returns its pid; -1 when it was running as r was read and has
** finished since; 0 when it is not (also when the driver cannot tell).
** The lock is looked up after the row was read: a process that moved the
** row on and let the lock go in between would make a live migration look
** interrupted, so a row found without a holder is read again. The same
** row after the lock was free is an interrupted one; a row that moved on
** but not to its end (a statement that failed since, another run that
** took it up) is running only if someone holds the lock now.
*/
static long
running(migc *m, const struct trackrow *r)
{
	long pid;

	if (!m->drv->xLockHolder || !(migc__downstarted(r) || (!r->error && r->done < r->total)))
		return 0;
	pid = m->drv->xLockHolder(m);
	if (pid != 0)
		return pid;
	switch (rownow(m, r)) {
	case ROW_FINISHED: return -1;
	case ROW_CHANGED: return m->drv->xLockHolder(m);
	default: return 0;
	}
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

void
migc__verdict(migc *m, const struct trackrow *r, const struct migc_migration *mig, int64_t newest, int forup,
              struct verdict *v)
{
	v->pid = 0;
	v->problem = 0;
	if (!r) {
		v->kind = mig->version < newest ? MIGC_OUT_OF_ORDER : MIGC_PENDING;
		v->problem = v->kind == MIGC_OUT_OF_ORDER && forup && !m->allow_out_of_order;
	} else if (!mig) {
		v->kind = MIGC_UNKNOWN;
		v->problem = 1;
	} else if (migc__isfailed(r)) {
		/* With resume, its file may have been edited to fix the failing
		** statement: up goes on with it. */
		v->kind = MIGC_FAILED;
		if (forup && m->resume && migc__resumable(r, mig))
			return;
		if ((v->pid = running(m, r)) != 0)
			v->kind = MIGC_RUNNING;
		v->problem = v->kind == MIGC_FAILED;
	} else if (strcmp(r->checksum, mig->checksum) != 0) {
		v->kind = migc_also_accepts(mig, r->checksum) ? MIGC_ACCEPTED : MIGC_EDITED;
		v->problem = v->kind == MIGC_EDITED;
	} else {
		/* A brief read has no raw_checksum: applied, for the start-up check. */
		v->kind = r->raw_checksum && strcmp(r->raw_checksum, mig->raw_checksum) != 0 ? MIGC_APPLIED_EOL
		                                                                              : MIGC_APPLIED;
	}
}

int64_t
migc__newest(const struct track *t)
{
	return t->n ? t->rows[t->n - 1].version : 0;
}

void
migc__entriesbegin(struct entries *e, const struct migc_set *set, const struct track *t)
{
	e->set = set;
	e->t = t;
	e->i = 0;
	e->j = 0;
}

int
migc__nextentry(struct entries *e, const struct trackrow **r, const struct migc_migration **mig)
{
	const struct migc_migration *mi = e->i < e->set->count ? &e->set->migrations[e->i] : NULL;
	const struct trackrow *rj = e->j < e->t->n ? &e->t->rows[e->j] : NULL;

	if (!mi && !rj)
		return 0;
	*r = NULL;
	*mig = NULL;
	if (rj && (!mi || rj->version <= mi->version)) {
		*r = rj;
		e->j++;
	}
	if (mi && (!rj || mi->version <= rj->version)) {
		*mig = mi;
		e->i++;
	}
	return 1;
}

const char *
migc__origin(const struct trackrow *r)
{
	if (r->done < r->total || !r->done_checksum || strncmp(r->done_checksum, "adopted:", 8) != 0)
		return NULL;
	return r->done_checksum + 8;
}
