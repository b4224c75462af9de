/*
** mirror.c: the SQLite replay's schema, object by object (mirror.h).
**
** Each row of sqlite_schema is kept by its rowid with the sum of its lines
** (its own line and, for a table, its columns': what xSchema reads), and
** the schema's sum is the sum of theirs. Names are kept as SQLite looks
** them up: in any ASCII case, triggers apart from tables, indexes and
** views. An authorizer on the connection names what each statement
** creates, drops or alters. A sync then removes what was dropped (with a
** table, its indexes and triggers, which SQLite drops without a word),
** reads again by rowid what was altered, and reads the rows added since:
** those with a rowid above the highest of the rows kept that are still
** there, since SQLite gives a new row the highest rowid in the table plus
** one, and every row kept from before was in the table meanwhile. What
** rewrites other objects' SQL (RENAME, DROP COLUMN's quoting fix-up),
** PRAGMA writable_schema, ATTACH and VACUUM (which renumbers the rows)
** make the next sync read everything again.
*/
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "migc.h"
#include "internal.h"
#include "digest.h"
#include "siphash.h"
#include "util.h"
#include "mirror.h"

struct object {
	long long rowid;
	char *name;             /* as sqlite_schema spells it */
	char *group;            /* its tbl_name: the table an index or trigger is on, else itself */
	int table;
	int trigger;            /* a trigger's name is looked up apart from the others' */
	unsigned long epoch;    /* the sync that last read it again, or made it */
	int live;               /* 0: removed (its slot stays until the index is rebuilt) */
	struct migc__linesum sum;
};

#define TOMBSTONE SIZE_MAX

/* A name a statement touched: dropped, or created or altered. */
struct touch {
	char *name;
	int trigger;
	int dropped;
};

struct mirror {
	sqlite3 *db;
	struct object *v;
	size_t n, cap;
	size_t *slots;          /* open addressing by folded name: 0 empty, TOMBSTONE, else index + 1 */
	size_t nslots, used;    /* used: slots not empty (live and tombstones) */
	struct touch *touched;
	size_t ntouched, captouched;
	int all;                /* the next sync reads everything */
	long long maxrowid;     /* the highest rowid kept */
	struct migc__objects *q;        /* opened at the first sync */
	int topgone;            /* the object with it was removed or read again: find the highest again */
	unsigned long epoch;    /* syncs so far */
	struct migc__linesum sum;
};

/* ASCII case folding, as SQLite compares names. */
static int
fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
sameword(const char *a, const char *b)
{
	for (; *a && fold((unsigned char)*a) == fold((unsigned char)*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

static size_t
hashname(const char *s, int trigger)
{
	char buf[256];
	size_t n;

	buf[0] = (char)trigger;
	for (n = 1; *s && n < sizeof(buf); n++, s++)
		buf[n] = (char)fold((unsigned char)*s);
	return (size_t)migc__siphash13(buf, n);
}

/* The slot holding name (a trigger's, or another object's), or the empty
** one where it would go. */
static size_t
probe(const struct mirror *x, const char *name, int trigger)
{
	size_t i = hashname(name, trigger) & (x->nslots - 1), s;

	while ((s = x->slots[i]) != 0 &&
	       (s == TOMBSTONE || x->v[s - 1].trigger != trigger || !sameword(x->v[s - 1].name, name)))
		i = (i + 1) & (x->nslots - 1);
	return i;
}

/* The index of the live object called name, or -1. */
static long
find(const struct mirror *x, const char *name, int trigger)
{
	size_t s;

	if (!x->nslots)
		return -1;
	s = x->slots[probe(x, name, trigger)];
	return s ? (long)(s - 1) : -1;
}

static void
freeobject(struct object *o)
{
	free(o->name);
	free(o->group);
	o->name = o->group = NULL;
}

/* Rebuild the index, and drop the removed objects' slots from v, when
** it is half full (tombstones count) or absent. */
static void
reindex(struct mirror *x)
{
	size_t i, k, live = 0;

	for (i = 0; i < x->n; i++)
		if (x->v[i].live)
			x->v[live++] = x->v[i];
	x->n = live;
	free(x->slots);
	for (x->nslots = 64; x->nslots < 4 * (live + 1); x->nslots *= 2)
		;
	x->slots = xreallocarray(NULL, x->nslots, sizeof(*x->slots));
	memset(x->slots, 0, x->nslots * sizeof(*x->slots));
	for (i = 0; i < live; i++) {
		k = probe(x, x->v[i].name, x->v[i].trigger);
		x->slots[k] = i + 1;
	}
	x->used = live;
}

static void
removeobject(struct mirror *x, long i)
{
	struct object *o = &x->v[i];

	x->slots[probe(x, o->name, o->trigger)] = TOMBSTONE;
	migc__linesumcombine(&x->sum, &o->sum, -1);
	/* A new row may reuse the highest rowid once it is gone. */
	x->topgone |= o->rowid == x->maxrowid;
	freeobject(o);
	o->live = 0;
}

/* Keep row o (a new one, or one kept under its name, which it replaces). */
static void
keep(struct mirror *x, const struct migc__object *o)
{
	int trigger = strcmp(o->type, "trigger") == 0;
	long i = find(x, o->name, trigger);
	struct object *k;

	if (i >= 0)
		removeobject(x, i);
	if (2 * (x->used + 1) > x->nslots)
		reindex(x);
	x->v = xgrow(x->v, x->n, &x->cap, sizeof(*x->v));
	k = &x->v[x->n];
	k->rowid = o->rowid;
	k->name = xstrdup(o->name);
	k->group = xstrdup(o->tbl_name);
	k->table = strcmp(o->type, "table") == 0;
	k->trigger = trigger;
	k->epoch = x->epoch;
	k->live = 1;
	memset(&k->sum, 0, sizeof(k->sum));
	migc__linesumtext(&k->sum, o->lines, 1);
	migc__linesumcombine(&x->sum, &k->sum, 1);
	x->slots[probe(x, o->name, trigger)] = ++x->n;
	x->used++;
	if (o->rowid > x->maxrowid)
		x->maxrowid = o->rowid;
}

/* Reading one kept object again: the row now at its rowid. */
struct reread {
	struct mirror *x;
	long i;
	int seen;
};

static void
onreread(void *ctx, const struct migc__object *o)
{
	struct reread *r = ctx;
	int trigger = strcmp(o->type, "trigger") == 0;

	r->seen = 1;
	/* Another object has its rowid now: a new row, which the read of
	** the rows added finds. */
	if (trigger != r->x->v[r->i].trigger || !sameword(o->name, r->x->v[r->i].name))
		removeobject(r->x, r->i);
	else
		keep(r->x, o);
}

/* Read kept object i again: kept as it is now, or removed when its row
** is gone or holds another object. */
static int
reread(struct mirror *x, migc *m, long i)
{
	struct reread r;
	int rc;

	x->topgone |= x->v[i].rowid == x->maxrowid;
	r.x = x;
	r.i = i;
	r.seen = 0;
	rc = migc__objectsread(m, x->q, x->v[i].rowid, x->v[i].rowid, onreread, &r);
	if (rc == MIGC_OK && !r.seen)
		removeobject(x, i);
	return rc;
}

/* After table was dropped: read again each index and trigger kept on it
** (SQLite dropped them with it, and a table made again under its name
** may sit at its rowid). */
static int
rereadgroup(struct mirror *x, migc *m, const char *table)
{
	char **names = NULL;
	int *triggers = NULL;
	size_t n = 0, cap = 0, capt = 0, j;
	long i;
	int rc = MIGC_OK;

	for (j = 0; j < x->n; j++)
		if (x->v[j].live && !x->v[j].table && sameword(x->v[j].group, table)) {
			names = xgrow(names, n, &cap, sizeof(*names));
			triggers = xgrow(triggers, n, &capt, sizeof(*triggers));
			triggers[n] = x->v[j].trigger;
			names[n++] = xstrdup(x->v[j].name);
		}
	for (j = 0; j < n; j++) {
		if (rc == MIGC_OK && (i = find(x, names[j], triggers[j])) >= 0)
			rc = reread(x, m, i);
		free(names[j]);
	}
	free(names);
	free(triggers);
	return rc;
}

static void
onnew(void *ctx, const struct migc__object *o)
{
	keep(ctx, o);
}

static void
touch(struct mirror *x, const char *name, int trigger, int dropped)
{
	struct touch *t;

	if (!name || x->all)
		return;
	x->touched = xgrow(x->touched, x->ntouched, &x->captouched, sizeof(*x->touched));
	t = &x->touched[x->ntouched++];
	t->name = xstrdup(name);
	t->trigger = trigger;
	t->dropped = dropped;
}

/* The authorizer: what each statement touches (it allows everything). */
static int
watch(void *ctx, int code, const char *a, const char *b, const char *db, const char *trigger)
{
	struct mirror *x = ctx;

	(void)trigger;
	switch (code) {
	case SQLITE_CREATE_INDEX:
	case SQLITE_CREATE_TRIGGER:
		touch(x, a, code == SQLITE_CREATE_TRIGGER, 0);
		touch(x, b, 0, 0);
		break;
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TRIGGER:
		touch(x, a, code == SQLITE_DROP_TRIGGER, 1);
		touch(x, b, 0, 0);
		break;
	case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_VIEW:
	case SQLITE_CREATE_VTABLE:
		touch(x, a, 0, 0);
		break;
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_VIEW:
	case SQLITE_DROP_VTABLE:
		touch(x, a, 0, 1);
		break;
	case SQLITE_ALTER_TABLE:
		touch(x, b, 0, 0);
		break;
	case SQLITE_FUNCTION:
		/* RENAME and DROP COLUMN rewrite other objects' SQL. */
		if (b && (strncmp(b, "sqlite_rename_", 14) == 0 || strcmp(b, "sqlite_drop_column") == 0))
			x->all = 1;
		break;
	case SQLITE_PRAGMA:
		if (a && sameword(a, "writable_schema"))
			x->all = 1;
		break;
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		x->all = 1;
		break;
	}
	/* VACUUM works through a database of its own. */
	if (db && strcmp(db, "main") != 0 && strcmp(db, "temp") != 0)
		x->all = 1;
	return SQLITE_OK;
}

static void
forgettouched(struct mirror *x)
{
	while (x->ntouched > 0)
		free(x->touched[--x->ntouched].name);
}

struct mirror *
mirrornew(sqlite3 *db)
{
	struct mirror *x = xmalloc(sizeof(*x));

	memset(x, 0, sizeof(*x));
	x->db = db;
	x->all = 1;
	sqlite3_set_authorizer(db, watch, x);
	return x;
}

void
mirrorforget(struct mirror *x)
{
	x->all = 1;
}

void
mirrorfree(struct mirror *x)
{
	size_t i;

	if (!x)
		return;
	sqlite3_set_authorizer(x->db, NULL, NULL);
	migc__objectsclose(x->q);
	for (i = 0; i < x->n; i++)
		if (x->v[i].live)
			freeobject(&x->v[i]);
	forgettouched(x);
	free(x->touched);
	free(x->slots);
	free(x->v);
	free(x);
}

int
mirrorsync(struct mirror *x, migc *m)
{
	long long top;
	size_t t, j;
	long i;
	int rc = MIGC_OK;

	if (!x->q && (rc = migc__objectsopen(m, &x->q)) != MIGC_OK)
		return rc;
	if (x->all) {
		for (j = 0; j < x->n; j++)
			if (x->v[j].live)
				freeobject(&x->v[j]);
		x->n = 0;
		memset(&x->sum, 0, sizeof(x->sum));
		x->maxrowid = 0;
		x->topgone = 0;
		reindex(x);
		x->all = 0;
		forgettouched(x);
		return migc__objectsread(m, x->q, LLONG_MIN, LLONG_MAX, onnew, x);
	}
	x->epoch++;
	for (t = 0; rc == MIGC_OK && t < x->ntouched; t++) {
		struct touch *k = &x->touched[t];
		int table;

		if ((i = find(x, k->name, k->trigger)) < 0)
			continue;
		table = x->v[i].table;
		rc = reread(x, m, i);
		if (rc == MIGC_OK && table && (k->dropped || find(x, k->name, 0) < 0))
			rc = rereadgroup(x, m, k->name);
	}
	forgettouched(x);
	/* New rows sit above every row kept from before that is still there;
	** one read again may have been made again (at the rowid it had). */
	top = x->maxrowid;
	if (x->topgone) {
		top = 0;
		for (j = 0; j < x->n; j++)
			if (x->v[j].live && x->v[j].epoch != x->epoch && x->v[j].rowid > top)
				top = x->v[j].rowid;
	}
	if (rc == MIGC_OK)
		rc = migc__objectsread(m, x->q, top + 1, LLONG_MAX, onnew, x);
	if (x->topgone) {
		x->topgone = 0;
		x->maxrowid = 0;
		for (j = 0; j < x->n; j++)
			if (x->v[j].live && x->v[j].rowid > x->maxrowid)
				x->maxrowid = x->v[j].rowid;
	}
	return rc;
}

void
mirrorsum(const struct mirror *x, struct migc__linesum *out)
{
	*out = x->sum;
}
