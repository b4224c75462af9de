/*
** schema.c: schema drift. The drivers read the live schema as sorted
** "kind<TAB>name<TAB>detail" lines (tables, columns with type, default and
** nullability, indexes, constraints, views, triggers, functions, sequences,
** enum types); its fingerprint is "s1:" + SHA-256 of those lines. After a
** run of up, down or baseline the newest tracking row records both, and
** migc_verify_schema compares the live schema with what the newest
** migration should leave (the fingerprint migc gen embedded by replaying
** the migrations, else the recorded one), listing object by object what
** differs from the recorded schema.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "digest.h"
#include "grow.h"

/* Append "kind\tname\tdetail", whitespace in detail folded to one space. */
int
migc__linesadd(struct lines *l, const char *kind, const char *name, const char *detail)
{
	size_t nk = strlen(kind), nn = strlen(name), nd = detail ? strlen(detail) : 0, i, j;
	char *line, **v = migc__grow(l->v, l->n, &l->cap, sizeof(*l->v));

	if (!v)
		return MIGC_NOMEM;
	l->v = v;
	line = malloc(nk + nn + nd + 3);
	if (!line)
		return MIGC_NOMEM;
	memcpy(line, kind, nk);
	line[nk] = '\t';
	memcpy(line + nk + 1, name, nn);
	j = nk + 1 + nn;
	line[j++] = '\t';
	for (i = 0; i < nd; i++) {
		char c = detail[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (j > nk + nn + 2 && line[j - 1] != ' ')
				line[j++] = ' ';
		} else {
			line[j++] = c;
		}
	}
	while (j > nk + nn + 2 && line[j - 1] == ' ')
		j--;
	line[j] = '\0';
	l->v[l->n++] = line;
	return MIGC_OK;
}

static int
linecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
migc__linesjoin(struct lines *l)
{
	size_t i, len = 1;
	char *text, *p;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), linecmp);
	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	text = malloc(len);
	for (i = 0, p = text; i < l->n; i++) {
		size_t n = strlen(l->v[i]);

		if (text) {
			memcpy(p, l->v[i], n);
			p[n] = '\n';
			p += n + 1;
		}
		free(l->v[i]);
	}
	if (text)
		*p = '\0';
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	return text;
}

/*
** The fingerprint's tag says how it was made:
**   "s3:" (since 0.5) the lines as a multiset: the SHA-256 of the sum,
**         modulo 2^256, of each line's SHA-256 (its bytes without the
**         newline, as a 256-bit big-endian number). A sum can be updated
**         line by line, so gen's replay keeps one per object and
**         fingerprints each version from the objects it touched;
**   "s2:" the SHA-256 of the sorted lines, each ended by a newline;
**   "s1:" as s2, of lines that left out only migc's tracking table (not
**         other tools' tracking tables nor the ignored ones, tooltables.c).
** A fingerprint is compared with the schema read by its rules
** (m->schemarules 1 for s1) and digested by its definition.
*/

/* The fingerprint of lines by the definition tag (fp's first 3 bytes) names. */
static void
digestlines(const char *tag, const char *text, char out[68])
{
	struct migc__linesum s;

	if (strncmp(tag, "s3:", 3) == 0) {
		memset(&s, 0, sizeof(s));
		migc__linesumtext(&s, text, 1);
		migc__linesumdigest(&s, out);
	} else {
		migc__digest(strncmp(tag, "s1:", 3) == 0 ? "s1:" : "s2:", text, strlen(text), out);
	}
}

void
migc__fingerprint(const char *text, char out[68])
{
	digestlines("s3:", text, out);
}

static int
rulesof(const char *fp)
{
	return strncmp(fp, "s1:", 3) == 0 ? 1 : 2;
}

/* The live schema read by the rules of the fingerprint like, and its
** fingerprint by like's definition. */
static int
liveschema(migc *m, const char *like, char **text, char fp[68])
{
	int rc;

	m->schemarules = rulesof(like);
	rc = m->drv->xSchema(m, text);
	m->schemarules = 2;
	if (rc == MIGC_OK)
		digestlines(like, *text, fp);
	return rc;
}

int
migc__schematext(migc *m, char **text)
{
	*text = NULL;
	if (!m->drv->xSchema)
		return migc__seterr(m, MIGC_INPUT, "this database driver cannot read its schema");
	return m->drv->xSchema(m, text);
}

int
migc__schemaprint(migc *m, char out[68])
{
	char *text;
	int rc = migc__schematext(m, &text);

	if (rc == MIGC_OK)
		migc__fingerprint(text, out);
	free(text);
	return rc;
}

/* After up, down or baseline: record the schema on the newest row. */
int
migc__recordschema(migc *m)
{
	struct track t;         /* freed below even when xBegin fails */
	char *text = NULL, fp[68];
	int rc;

	migc__newtrack(&t);
	if (!m->drv->xSchema)
		return MIGC_OK;
	rc = m->drv->xBegin(m);
	if (rc == MIGC_OK)
		rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc == MIGC_OK && t.n > 0)
		rc = m->drv->xSchema(m, &text);
	if (rc == MIGC_OK && t.n > 0) {
		migc__fingerprint(text, fp);
		rc = m->drv->xSetRecorded(m, t.rows[t.n - 1].version, fp, text);
	}
	if (rc == MIGC_OK)
		rc = m->drv->xCommit(m);
	if (rc != MIGC_OK)
		m->drv->xRollback(m);
	migc__freetrack(&t);
	free(text);
	return rc;
}

/* The next line of *p (NUL-terminated by overwriting its "\n"), or NULL. */
static char *
nextline(char **p)
{
	char *line = *p, *nl;

	if (!line || !*line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	return line;
}

/* The length of a line's "kind\tname" key. */
static size_t
keylen(const char *s)
{
	const char *t = strchr(s, '\t');

	t = t ? strchr(t + 1, '\t') : NULL;
	return t ? (size_t)(t - s) : strlen(s);
}

/* Compare two lines by key, in the order of the sorted lines: <0, 0, >0. */
static int
keycmp(const char *a, const char *b)
{
	size_t na = keylen(a), nb = keylen(b);
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : (na > nb) - (na < nb);
}

struct diff {
	struct migc_drift *v;
	size_t n, cap;
	size_t bytes;
};

static int
adddrift(struct diff *d, const char *change, const char *expected, const char *actual)
{
	struct migc_drift *x, *v = migc__grow(d->v, d->n, &d->cap, sizeof(*d->v));

	if (!v)
		return MIGC_NOMEM;
	d->v = v;
	x = &d->v[d->n++];
	memset(x, 0, sizeof(*x));
	x->change = change;
	x->expected = expected;
	x->actual = actual;
	return MIGC_OK;
}

/* Split a line "kind\tname\tdetail" in place into its three parts. */
static void
split(char *line, const char **kind, const char **name, const char **detail)
{
	char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

	*kind = line;
	*name = t1 ? t1 + 1 : "";
	*detail = t2 ? t2 + 1 : "";
	if (t1)
		*t1 = '\0';
	if (t2)
		*t2 = '\0';
}

int
migc__diffschema(char *before, char *after, struct migc_drift **out, size_t *nout)
{
	struct diff d = {NULL, 0, 0, 0};
	struct migc_drift *v;
	char *pa = before, *pb = after, *a, *b, *p;
	size_t i;
	int rc = MIGC_OK;

	*out = NULL;
	*nout = 0;
	/* Merge the two sorted line lists by kind and name. */
	a = nextline(&pa);
	b = nextline(&pb);
	while ((a || b) && rc == MIGC_OK) {
		int c = !a ? 1 : !b ? -1 : keycmp(a, b);

		if (c < 0) {
			rc = adddrift(&d, "removed", a, NULL);
			a = nextline(&pa);
		} else if (c > 0) {
			rc = adddrift(&d, "added", NULL, b);
			b = nextline(&pb);
		} else {
			if (strcmp(a, b) != 0)
				rc = adddrift(&d, "changed", a, b);
			a = nextline(&pa);
			b = nextline(&pb);
		}
	}
	if (rc != MIGC_OK) {
		free(d.v);
		return rc;
	}
	/* Split the lines into their parts; the strings stay in before and
	** after until they are copied below. */
	for (i = 0; i < d.n; i++) {
		struct migc_drift *x = &d.v[i];
		const char *detail;

		if (x->expected) {
			split((char *)x->expected, &x->kind, &x->name, &detail);
			x->expected = detail;
		}
		if (x->actual) {
			split((char *)x->actual, &x->kind, &x->name, &detail);
			x->actual = detail;
		}
		d.bytes += strlen(x->kind) + strlen(x->name) + (x->expected ? strlen(x->expected) : 0) +
		           (x->actual ? strlen(x->actual) : 0) + 4;
	}
	/* One allocation for the caller: the array, then the strings. */
	v = malloc(d.n * sizeof(*v) + d.bytes + 1);
	if (!v) {
		free(d.v);
		return MIGC_NOMEM;
	}
	p = (char *)(v + d.n);
	for (i = 0; i < d.n; i++) {
		const char *src[4] = { d.v[i].kind, d.v[i].name, d.v[i].expected, d.v[i].actual };
		const char **dst[4];
		int k;

		v[i] = d.v[i];
		dst[0] = &v[i].kind;
		dst[1] = &v[i].name;
		dst[2] = &v[i].expected;
		dst[3] = &v[i].actual;
		for (k = 0; k < 4; k++) {
			size_t n;

			if (!src[k])
				continue;
			n = strlen(src[k]) + 1;
			memcpy(p, src[k], n);
			*dst[k] = p;
			p += n;
		}
	}
	free(d.v);
	*out = v;
	*nout = d.n;
	return MIGC_OK;
}

int
migc_verify_schema(migc *m, struct migc_drift **out, size_t *nout)
{
	char *fp = NULL, *rec = NULL, *live = NULL, livefp[68];
	const struct migc_migration *mig;
	const char *expect;
	struct track t;
	size_t i;
	int rc;

	if (out)
		*out = NULL;
	if (nout)
		*nout = 0;
	rc = migc__checkhandle(m, 1);
	if (rc != MIGC_OK)
		return rc;
	if (!out || !nout)
		return migc__seterr(m, MIGC_INPUT, "migc_verify_schema: drift and n must not be NULL");
	migc__clearerr(m);
	if (!m->drv->xSchema)
		return migc__seterr(m, MIGC_INPUT, "this database driver cannot read its schema");
	rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	if (rc == MIGC_OK && t.n == 0)
		rc = migc__seterr(m, MIGC_VERIFY, "no migration is applied: there is no schema to compare with");
	if (rc == MIGC_OK)
		rc = m->drv->xGetRecorded(m, t.rows[t.n - 1].version, &fp, &rec);
	if (rc == MIGC_OK && (!fp || !rec))
		rc = migc__seterr(m, MIGC_VERIFY, "version %lld has no recorded schema (applied by an older migc, or its run "
		            "was interrupted): run migc_up once to record it", (long long)t.rows[t.n - 1].version);
	if (rc != MIGC_OK)
		goto out;
	mig = migc_find(m->set, t.rows[t.n - 1].version);
	/* What repeatable migrations made is in the recorded schema only. */
	expect = mig && mig->schema && m->set->nrepeatables == 0 ? mig->schema : fp;
	rc = liveschema(m, expect, &live, livefp);
	if (rc != MIGC_OK || strcmp(livefp, expect) == 0)
		goto out;
	if (strncmp(fp, expect, 3) != 0) {
		/* The lines to compare with the record, read and digested by
		** its definition. */
		free(live);
		live = NULL;
		rc = liveschema(m, fp, &live, livefp);
		if (rc != MIGC_OK)
			goto out;
	}
	if (strcmp(livefp, fp) == 0) {
		/* Unchanged since it ran, but not what the migrations build. */
		rc = migc__seterr(m, MIGC_VERIFY, "the schema is what version %lld left when it ran (%s), but replaying the "
		            "migrations at build time gave %s: the database differed before it ran, or its engine "
		            "builds the same SQL differently", (long long)mig->version, fp, expect);
		goto out;
	}
	rc = migc__diffschema(rec, live, out, nout);
	if (rc != MIGC_OK) {
		rc = migc__seterr(m, rc, "out of memory");
		goto out;
	}
	rc = migc__seterr(m, MIGC_VERIFY, "the schema differs from what version %lld produced (%s, now %s): %lu object%s",
	            (long long)t.rows[t.n - 1].version, fp, livefp, (unsigned long)*nout, *nout == 1 ? "" : "s");
	for (i = 0; i < *nout; i++)
		migc__adderr(m, "  %s %s %s", (*out)[i].change, (*out)[i].kind, (*out)[i].name);
out:
	migc__freetrack(&t);
	free(fp);
	free(rec);
	free(live);
	return rc;
}
