/*
** sum.c: migc.sum, a manifest of a migration directory for CI. Its first
** line hashes the rest, and each migration's line ends with a hash chained
** over every line before it, so two branches that both append migrations
** conflict when merged (or fail the check when merged by hand), and any
** edit of a listed file, renaming or renumbering is named.
**
**   migc.sum 1 c1:<sha256 of the lines below>
**   <version> <file> <checksum> h1:<sha256 of previous h1 value, "\n", "<version> <file> <checksum>">
*/
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "util.h"
#include "sha256.h"
#include "digest.h"
#include "version.h"
#include "checksum.h"
#include "sum.h"

struct entry {
	int64_t version;
	char file[256];
	char checksum[68];
};

static void
chain(const char *prev, const char *line, size_t n, char out[68])
{
	struct sha256 s;

	migc__sha256init(&s);
	migc__sha256update(&s, prev, strlen(prev));
	migc__sha256update(&s, "\n", 1);
	migc__sha256update(&s, line, n);
	migc__digestof("h1:", &s, out);
}

void
sumwrite(struct buf *out, const struct migc_set *set)
{
	struct buf body = {0}, line = {0};
	char prev[68] = "", head[68];
	unsigned long i;

	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];

		line.len = 0;
		bufprintf(&line, "%lld %s %s", (long long)m->version, m->up.file, m->checksum);
		chain(prev, line.data, line.len, prev);
		bufprintf(&body, "%s %s\n", line.data, prev);
	}
	migc__digest("c1:", body.data ? body.data : "", body.len, head);
	bufprintf(out, "migc.sum 1 %s\n", head);
	if (body.len)
		bufadd(out, body.data, body.len);
	buffree(&body);
	buffree(&line);
}

static void
add(struct sumproblems *p, int64_t version, const char *file, const char *kind, const char *fmt, ...)
{
	struct sumproblem *x;
	va_list ap;

	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	x = &p->v[p->n++];
	x->version = version;
	snprintf(x->file, sizeof(x->file), "%s", file);
	x->kind = kind;
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof(x->text), fmt, ap);
	va_end(ap);
	if (strcmp(kind, "accepted") != 0)
		p->nfail++;
}

/* Where the last space-separated field of l[0..n) starts, less one. */
static size_t
lastfield(const char *l, size_t n)
{
	while (n > 0 && l[n - 1] != ' ')
		n--;
	return n ? n - 1 : 0;
}

/*
** Copy the field at *p (up to a space or end) into out, of size bytes,
** and step *p over it and the one space after it (none after the last
** field). Returns 0, or -1 when the field is empty or does not fit.
*/
static int
field(const char **p, const char *end, char *out, size_t size, int last)
{
	const char *q = *p;

	while (q < end && *q != ' ')
		q++;
	if (q == *p || (size_t)(q - *p) >= size || (last ? q != end : q == end))
		return -1;
	memcpy(out, *p, (size_t)(q - *p));
	out[q - *p] = '\0';
	*p = last ? q : q + 1;
	return 0;
}

/* Read a line "<version> <file> <checksum> <hash>" of length n: 0 or -1. */
static int
readline(const char *l, size_t n, int64_t *v, char file[256], char sum[68], char h[68])
{
	const char *end = l + n, *p = migc__versiondigits(l, v);

	if (!p || p == l || p >= end || *p != ' ')
		return -1;
	p++;
	return field(&p, end, file, 256, 0) == 0 && field(&p, end, sum, 68, 0) == 0 &&
	       field(&p, end, h, 68, 1) == 0 ? 0 : -1;
}

/* Parse the manifest; a line that does not parse, or a hash that does
** not hold, is a "corrupt" problem. Returns the entries (NULL on error). */
static struct entry *
parse(const char *path, const char *raw, size_t rawlen, size_t *n, struct sumproblems *p)
{
	size_t len, i = 0, lineno = 1, ne = 0, cap = 0;
	char *text = canonicalize(raw, rawlen, &len), prev[68] = "", head[68];
	struct entry *e = NULL;
	const char *body;

	*n = 0;
	if (len < 12 || memcmp(text, "migc.sum 1 ", 11) != 0 || !memchr(text, '\n', len)) {
		add(p, 0, path, "corrupt", "%s: not a migc.sum of format 1 (regenerate it with migc hash)", path);
		free(text);
		return NULL;
	}
	body = (const char *)memchr(text, '\n', len) + 1;
	migc__digest("c1:", body, len - (size_t)(body - text), head);
	if ((size_t)(body - text) != 11 + 67 + 1 || memcmp(text + 11, head, 67) != 0) {
		add(p, 0, path, "corrupt", "%s:1: the header hash does not match the lines below: the file was edited "
		    "by hand or merged; resolve the migrations, then run migc hash", path);
		free(text);
		return NULL;
	}
	for (i = (size_t)(body - text); i < len; lineno++) {
		const char *l = text + i, *eol = memchr(l, '\n', len - i);
		size_t ll = eol ? (size_t)(eol - l) : len - i;
		char file[256], sum[68], h[68], want[68];
		int64_t v;

		i += ll + 1;
		if (readline(l, ll, &v, file, sum, h) != 0) {
			add(p, 0, path, "corrupt", "%s:%lu: cannot read this line", path, (unsigned long)lineno + 1);
			break;
		}
		chain(prev, l, lastfield(l, ll), want);
		if (strcmp(want, h) != 0) {
			add(p, v, file, "corrupt", "%s:%lu: the chained hash does not hold: lines were inserted, removed or "
			    "reordered (two branches merged?); resolve the migrations, then run migc hash", path,
			    (unsigned long)lineno + 1);
			break;
		}
		memcpy(prev, h, sizeof(prev));
		e = xgrow(e, ne, &cap, sizeof(*e));
		e[ne].version = v;
		memcpy(e[ne].file, file, sizeof(file));
		memcpy(e[ne].checksum, sum, sizeof(sum));
		ne++;
	}
	free(text);
	*n = ne;
	return e;
}

static const struct migc_migration *
bychecksum(const struct migc_set *set, const char *sum)
{
	unsigned long i;

	for (i = 0; i < set->count; i++)
		if (strcmp(set->migrations[i].checksum, sum) == 0)
			return &set->migrations[i];
	return NULL;
}

static int
bysum(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->checksum, ((const struct entry *)b)->checksum);
}

static int
byver(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* Is version v or checksum sum in the manifest? sums and vers are its
** entries sorted each way (100,000 migrations stay quick). */
static int
listed(const struct entry *vers, const struct entry *sums, size_t n, int64_t v, const char *sum)
{
	struct entry key;

	key.version = v;
	snprintf(key.checksum, sizeof(key.checksum), "%s", sum);
	return bsearch(&key, vers, n, sizeof(*vers), byver) != NULL ||
	       bsearch(&key, sums, n, sizeof(*sums), bysum) != NULL;
}

int
sumcheckfile(const struct migc_set *set, const char *path, int strict, struct sumproblems *p)
{
	char *text;
	size_t len;

	if (readfile(path, &text, &len) != 0)
		return errno == ENOENT ? 1 : -1;
	sumcheck(set, path, text, len, strict, p);
	free(text);
	return 0;
}

int
sumcheck(const struct migc_set *set, const char *path, const char *text, size_t len,
         int strict, struct sumproblems *p)
{
	struct entry *e, *vers, *sums;
	int64_t highest = 0;
	size_t n, i;
	unsigned long k;

	e = parse(path, text, len, &n, p);
	if (!e)
		return p->nfail;
	for (i = 0; i < n; i++) {
		const struct migc_migration *m = migc_find(set, e[i].version), *same;

		if (e[i].version > highest)
			highest = e[i].version;
		if (m && strcmp(m->checksum, e[i].checksum) == 0 && strcmp(m->up.file, e[i].file) == 0)
			continue;
		if (m && strcmp(m->checksum, e[i].checksum) == 0) {
			add(p, m->version, m->up.file, "renamed", "%s was renamed: %s lists it as %s", m->up.file, path, e[i].file);
		} else if (m && !strict && migc_also_accepts(m, e[i].checksum)) {
			add(p, m->version, m->up.file, "accepted", "%s was edited since %s was written, and accepts its old checksum "
			    "(-- migc:also-accept %s)", m->up.file, path, e[i].checksum);
		} else if (m) {
			add(p, m->version, m->up.file, "edited", "%s was edited since %s was written (it lists %s, the file has %s)",
			    m->up.file, path, e[i].checksum, m->checksum);
		} else if ((same = bychecksum(set, e[i].checksum)) != NULL) {
			add(p, same->version, same->up.file, "renumbered", "%s was renumbered: %s lists it as version %lld (%s)",
			    same->up.file, path, (long long)e[i].version, e[i].file);
		} else {
			add(p, e[i].version, e[i].file, "removed", "%s (version %lld) was removed, but %s lists it",
			    e[i].file, (long long)e[i].version, path);
		}
	}
	vers = xreallocarray(NULL, n + 1, sizeof(*vers));
	sums = xreallocarray(NULL, n + 1, sizeof(*sums));
	if (n) {
		memcpy(vers, e, n * sizeof(*e));
		memcpy(sums, e, n * sizeof(*e));
		qsort(vers, n, sizeof(*vers), byver);
		qsort(sums, n, sizeof(*sums), bysum);
	}
	for (k = 0; k < set->count; k++) {
		const struct migc_migration *m = &set->migrations[k];

		if (listed(vers, sums, n, m->version, m->checksum))
			continue;
		if (m->version < highest)
			add(p, m->version, m->up.file, "added-below", "%s was added with version %lld, below the highest "
			    "version %s lists (%lld): give it a version above %lld", m->up.file, (long long)m->version,
			    path, (long long)highest, (long long)highest);
		else if (strict)
			add(p, m->version, m->up.file, "unrecorded", "%s is not in %s: run migc hash", m->up.file, path);
	}
	free(vers);
	free(sums);
	free(e);
	return p->nfail;
}
