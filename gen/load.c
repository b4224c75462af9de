/*
** load.c: read a directory of migration files into a struct migc_set.
** File names give versions, the leading comment block gives directives,
** the scanner gives statements; this file checks what a migration may
** contain and reports every problem with its path:line:col.
*/
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "sha256.h"
#include "util.h"
#include "check.h"
#include "load.h"

/* One file found in the directory. */
struct entry {
	char *file;
	int64_t version;
	char *name;
	int isdown;
};

static int
isnamechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

int
parsefilename(const char *file, int64_t *version, const char **name,
              size_t *namelen, int *isdown, const char **why)
{
	const char *p = file, *end = file + strlen(file);
	int64_t v = 0;

	*why = "file name does not match NNNN_name.sql or NNNN_name.down.sql";
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10) {
			*why = "version is out of range (at most 9223372036854775807)";
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	if (*p != '_')
		return -1;
	p++;
	if (end - p < 5 || strcmp(end - 4, ".sql") != 0)
		return -1;
	end -= 4;
	*isdown = end - p > 5 && memcmp(end - 5, ".down", 5) == 0;
	if (*isdown)
		end -= 5;
	if (p == end)
		return -1;
	for (*name = p; p < end; p++) {
		if (!isnamechar((unsigned char)*p)) {
			*why = "a migration name may hold only letters, digits, '_', '-' and '.'";
			return -1;
		}
	}
	if (v == 0) {
		*why = "version 0 is reserved: versions start at 1";
		return -1;
	}
	*version = v;
	*namelen = (size_t)(end - *name);
	return 0;
}

char *
canonicalize(const char *raw, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t i = 0, n = 0;

	if (len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < len; i++) {
		if (raw[i] == '\r') {
			out[n++] = '\n';
			if (i + 1 < len && raw[i + 1] == '\n')
				i++;
		} else {
			out[n++] = raw[i];
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

void
checksum(const char *prefix, const char *data, size_t len, char out[68])
{
	struct sha256 s;
	unsigned char digest[32];

	sha256init(&s);
	sha256update(&s, data, len);
	sha256final(&s, digest);
	memcpy(out, prefix, 3);
	sha256hex(digest, out + 3);
}

static int
entrycmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	if (x->isdown != y->isdown)
		return x->isdown - y->isdown;
	return strcmp(x->file, y->file);
}

static char *
joinpath(const char *dir, const char *file)
{
	struct buf b = {0};

	bufputs(&b, dir);
	if (b.len > 0 && b.data[b.len - 1] != '/')
		bufputc(&b, '/');
	bufputs(&b, file);
	return b.data;
}

/* Parse the directives in text[0..end), the part before the first token. */
static unsigned
directives(const char *path, const char *text, size_t end, enum dialect dialect,
           struct diags *d)
{
	unsigned flags = 0;
	unsigned long line = 1;
	size_t i = 0;

	while (i < end) {
		size_t eol = i, p = i;

		while (eol < end && text[eol] != '\n')
			eol++;
		while (p < eol && (text[p] == ' ' || text[p] == '\t'))
			p++;
		if (eol - p >= 2 && text[p] == '-' && text[p + 1] == '-') {
			size_t q = p + 2, w;

			while (q < eol && (text[q] == ' ' || text[q] == '\t'))
				q++;
			if (eol - q >= 5 && memcmp(text + q, "migc:", 5) == 0) {
				unsigned long col = (unsigned long)(q - i) + 1;
				size_t len;

				q += 5;
				for (w = q; w < eol && text[w] != ' ' && text[w] != '\t'; w++)
					;
				len = w - q;
				while (w < eol && (text[w] == ' ' || text[w] == '\t'))
					w++;
				if (len == 14 && memcmp(text + q, "no-transaction", 14) == 0) {
					flags |= MIGC_NO_TRANSACTION;
				} else if (len == 16 && memcmp(text + q, "foreign-keys-off", 16) == 0) {
					if (dialect != DIALECT_SQLITE)
						diagerror(d, path, line, col, "migc:foreign-keys-off is for SQLite only");
					flags |= MIGC_FOREIGN_KEYS_OFF;
				} else {
					diagerror(d, path, line, col,
					          "unknown directive 'migc:%.*s' (known: migc:no-transaction, migc:foreign-keys-off)",
					          (int)len, text + q);
					w = eol;
				}
				if (w < eol)
					diagerror(d, path, line, (unsigned long)(w - i) + 1,
					          "unexpected text after directive");
			}
		}
		i = eol + 1;
		line++;
	}
	if ((flags & MIGC_NO_TRANSACTION) && (flags & MIGC_FOREIGN_KEYS_OFF))
		diagerror(d, path, 0, 0, "migc:foreign-keys-off needs a transaction: it cannot be combined with migc:no-transaction");
	return flags;
}

/* Read one file into a script. Returns the raw checksum's source bytes'
** checksum through rawsum when it is not NULL. */
static void
loadscript(const char *dir, const char *file, enum dialect dialect,
           struct migc_script *sc, char *sum, char *rawsum, struct diags *d)
{
	char *path = joinpath(dir, file), *raw, *text;
	size_t rawlen, len, nstmts = 0, first = 0, i;
	struct stmt *stmts = NULL;
	struct migc_stmt *out;
	struct scanerr err;

	memset(sc, 0, sizeof(*sc));
	sc->file = xstrdup(file);
	if (readfile(path, &raw, &rawlen) != 0) {
		diagerror(d, path, 0, 0, "cannot read: %s", strerror(errno));
		free(path);
		sc->sql = xstrdup("");
		return;
	}
	text = canonicalize(raw, rawlen, &len);
	if (sum)
		checksum("c1:", text, len, sum);
	if (rawsum)
		checksum("r1:", raw, rawlen, rawsum);
	free(raw);
	sc->sql = text;
	sc->length = (unsigned long)len;
	if (scansql(dialect, text, len, &stmts, &nstmts, &err) != 0) {
		diagerror(d, path, err.line, err.col, "%s", err.msg);
		free(path);
		return;
	}
	sc->flags = directives(path, text, nstmts ? stmts[0].off : len, dialect, d);
	if (!(sc->flags & MIGC_NO_TRANSACTION)) {
		unwrap(stmts, &first, &nstmts);
		checktx(path, text, dialect, stmts + first, nstmts, d);
		if (dialect == DIALECT_POSTGRES)
			checkenum(path, text, stmts + first, nstmts, d);
	}
	if (nstmts == 0 && sum)
		diagwarn(d, path, 0, 0, "no statements");
	out = xreallocarray(NULL, nstmts, sizeof(*out));
	for (i = 0; i < nstmts; i++) {
		out[i].offset = (unsigned long)stmts[first + i].off;
		out[i].length = (unsigned long)stmts[first + i].len;
		out[i].line = stmts[first + i].line;
	}
	sc->stmts = nstmts ? out : NULL;
	sc->nstmts = nstmts;
	if (!nstmts)
		free(out);
	free(stmts);
	free(path);
}

/* List the .sql files of dir, sorted by version, up before down. */
static struct entry *
listdir(const char *dir, size_t *n, struct diags *d)
{
	struct entry *e = NULL;
	struct dirent *de;
	size_t ne = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp) {
		diagerror(d, dir, 0, 0, "cannot open migration directory: %s", strerror(errno));
		*n = 0;
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *f = de->d_name, *name, *why;
		size_t flen = strlen(f), namelen;
		struct entry x;

		if (f[0] == '.' || flen < 4 || strcmp(f + flen - 4, ".sql") != 0)
			continue;
		if (parsefilename(f, &x.version, &name, &namelen, &x.isdown, &why) != 0) {
			char *path = joinpath(dir, f);

			diagerror(d, path, 0, 0, "%s", why);
			free(path);
			continue;
		}
		x.file = xstrdup(f);
		x.name = xmemdup(name, namelen);
		e = xreallocarray(e, ne + 1, sizeof(*e));
		e[ne++] = x;
	}
	closedir(dp);
	if (ne)
		qsort(e, ne, sizeof(*e), entrycmp);
	*n = ne;
	return e;
}

/* Pair up and down files; report duplicates and orphans. Returns the
** number of migrations; up[i] and down[i] index into e (down -1: none). */
static size_t
pairfiles(const char *dir, struct entry *e, size_t ne, long *up, long *down,
          struct diags *d)
{
	size_t i, n = 0;

	for (i = 0; i < ne; i++) {
		int first = i == 0 || e[i - 1].version != e[i].version;
		char *path = joinpath(dir, e[i].file);

		if (!e[i].isdown && first) {
			up[n] = (long)i;
			down[n++] = -1;
		} else if (!e[i].isdown) {
			diagerror(d, path, 0, 0, "duplicate version %lld: also %s",
			          (long long)e[i].version, e[i - 1].file);
		} else if (first) {
			diagerror(d, path, 0, 0, "down migration without an up migration (expected %.*s.sql)",
			          (int)(strlen(e[i].file) - 9), e[i].file);
		} else if (n > 0 && down[n - 1] < 0 && e[up[n - 1]].version == e[i].version &&
		           e[i - 1].isdown == 0) {
			if (strcmp(e[i].name, e[up[n - 1]].name) != 0)
				diagerror(d, path, 0, 0, "down migration's name differs from its up migration %s",
				          e[up[n - 1]].file);
			down[n - 1] = (long)i;
		} else {
			diagerror(d, path, 0, 0, "duplicate version %lld: also %s",
			          (long long)e[i].version, e[i - 1].file);
		}
		free(path);
	}
	return n;
}

static void
sethash(struct migc_set *set, const struct migc_migration *m, size_t n)
{
	struct buf b = {0};
	char *hash = xmalloc(68);
	size_t i;

	for (i = 0; i < n; i++)
		bufprintf(&b, "%lld %s\n", (long long)m[i].version, m[i].checksum);
	checksum("c1:", b.data ? b.data : "", b.len, hash);
	buffree(&b);
	set->hash = hash;
}

struct migc_set *
loadset(const char *dir, enum dialect dialect, struct diags *d)
{
	struct migc_set *set = xmalloc(sizeof(*set));
	struct migc_migration *m;
	struct entry *e;
	size_t ne, n, i;
	long *up, *down;

	e = listdir(dir, &ne, d);
	up = xreallocarray(NULL, ne + 1, sizeof(*up));
	down = xreallocarray(NULL, ne + 1, sizeof(*down));
	n = pairfiles(dir, e, ne, up, down, d);
	m = xreallocarray(NULL, n + 1, sizeof(*m));
	memset(m, 0, (n + 1) * sizeof(*m));
	for (i = 0; i < n; i++) {
		struct entry *u = &e[up[i]];
		char *sum = xmalloc(68), *rawsum = xmalloc(68);

		m[i].version = u->version;
		m[i].name = xstrdup(u->name);
		loadscript(dir, u->file, dialect, &m[i].up, sum, rawsum, d);
		m[i].checksum = sum;
		m[i].raw_checksum = rawsum;
		if (down[i] >= 0)
			loadscript(dir, e[down[i]].file, dialect, &m[i].down, NULL, NULL, d);
	}
	for (i = 0; i < ne; i++) {
		free(e[i].file);
		free(e[i].name);
	}
	free(e);
	free(up);
	free(down);
	set->layout = MIGC_LAYOUT;
	set->dialect = dialect == DIALECT_SQLITE ? "sqlite" : "postgres";
	set->migrations = m;
	set->count = (unsigned long)n;
	sethash(set, m, n);
	if (d->nerrors) {
		freeset(set);
		return NULL;
	}
	return set;
}

/* The set's strings and arrays were allocated here; const is cast away
** only to give them back. */
static void
freescript(const struct migc_script *sc)
{
	free((char *)sc->file);
	free((char *)sc->sql);
	free((struct migc_stmt *)sc->stmts);
}

void
freeset(struct migc_set *set)
{
	unsigned long i;

	if (!set)
		return;
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];

		free((char *)m->name);
		free((char *)m->checksum);
		free((char *)m->raw_checksum);
		freescript(&m->up);
		freescript(&m->down);
	}
	free((struct migc_migration *)set->migrations);
	free((char *)set->hash);
	free(set);
}
