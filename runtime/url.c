/*
** url.c: what kind of database a URL names, the SQLite URI a sqlite: URL
** stands for (secret.c makes the copy of a URL that is safe to print).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"

/* The SQLite schemes: sqlite:PATH, sqlite://PATH, sqlite:///abs (and
** sqlite3: likewise) give PATH; a file: URI is its own target. */
static const char *
sqlitetarget(const char *url)
{
	static const char *const schemes[] = { "sqlite:", "sqlite3:" };
	size_t i, n;

	if (strncmp(url, "file:", 5) == 0)
		return url[5] ? url : NULL;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		if (strncmp(url, schemes[i], n) == 0) {
			url += n;
			if (strncmp(url, "//", 2) == 0)
				url += 2;
			return *url ? url : NULL;
		}
	}
	return NULL;
}

enum urlkind
migc__urlkind(const char *url, const char **target)
{
	*target = NULL;
	if (!url)
		return URL_BAD;
	if (strncmp(url, "sqlite:", 7) == 0 || strncmp(url, "sqlite3:", 8) == 0 || strncmp(url, "file:", 5) == 0) {
		*target = sqlitetarget(url);
		return *target ? URL_SQLITE : URL_BAD;
	}
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0 ||
	    strchr(url, '=') != NULL) {
		*target = url;
		return URL_POSTGRES;
	}
	return URL_BAD;
}

char *
migc__barepath(const char *url)
{
	const char *target, *p;
	char *out, *o;

	if (!url || !*url || migc__urlkind(url, &target) != URL_BAD || strchr(url, '=') ||
	    (strchr(url, ':') && url[0] != '/' && url[0] != '.'))
		return NULL;
	out = o = malloc(3 * strlen(url) + 8);
	if (!out)
		return NULL;
	o += sprintf(o, "sqlite:");
	for (p = url; *p; p++)
		o += *p == '%' ? sprintf(o, "%%25") : *p == '?' ? sprintf(o, "%%3F") : sprintf(o, "%c", *p);
	return out;
}

char *
migc__sqlitefile(const char *target)
{
	size_t n = strcspn(target, "?");
	char *path;

	if (strncmp(target, "file:", 5) == 0 || (n == 8 && strncmp(target, ":memory:", 8) == 0))
		return NULL;
	path = malloc(n + 1);
	if (path && migc__pctdecode(target, n, path) != 0) {
		free(path);
		path = NULL;
	}
	return path;
}

/*
** SQLite URIs. The path, each parameter's name and each value are
** percent-decoded as sqlite3_open_v2 does it with SQLITE_OPEN_URI (%HH,
** nothing else), and the parameters are the ones it defines; anything
** else is refused here rather than ignored there.
*/
static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int
migc__pctdecode(const char *s, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			int c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);

			if (c == 0)
				return -1;
			out[k++] = (char)c;
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return 0;
}

static int
oneof(const char *v, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(v, *list) == 0)
			return 1;
	return 0;
}

/* Check one decoded name=value; *err gets the message. */
static int
checkparam(const char *name, const char *value, char *err, size_t nerr)
{
	static const char *const modes[] = { "ro", "rw", "rwc", "memory", NULL };
	static const char *const caches[] = { "shared", "private", NULL };
	static const char *const booleans[] = { "1", "0", "yes", "no", "true", "false", "on", "off", NULL };

	if (strcmp(name, "vfs") == 0) {
		if (*value)
			return MIGC_OK;
		snprintf(err, nerr, "vfs= in the SQLite URL names no VFS");
	} else if (strcmp(name, "mode") == 0) {
		if (oneof(value, modes))
			return MIGC_OK;
		snprintf(err, nerr, "mode=%.40s in the SQLite URL: mode is ro, rw, rwc or memory", value);
	} else if (strcmp(name, "cache") == 0) {
		if (oneof(value, caches))
			return MIGC_OK;
		snprintf(err, nerr, "cache=%.40s in the SQLite URL: cache is shared or private", value);
	} else if (strcmp(name, "psow") == 0 || strcmp(name, "nolock") == 0 || strcmp(name, "immutable") == 0) {
		if (oneof(value, booleans))
			return MIGC_OK;
		snprintf(err, nerr, "%s=%.40s in the SQLite URL: %s is a boolean (1, 0, yes, no, true, false, on, off)",
		         name, value, name);
	} else {
		snprintf(err, nerr, "unknown parameter '%.40s' in the SQLite URL: known are vfs, mode, cache, psow, nolock, immutable",
		         name);
	}
	return MIGC_INPUT;
}

/* Append s[0..n) to *o, writing each '#' as %23 when escape is set. */
static void
put(char **o, const char *s, size_t n, int escape)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (escape && s[i] == '#') {
			memcpy(*o, "%23", 3);
			*o += 3;
		} else {
			*(*o)++ = s[i];
		}
	}
	**o = '\0';
}

int
migc__sqliteuri(const char *target, int readonly, char **uri, char *err, size_t nerr)
{
	static const char *const known[] = { "vfs", "mode", "cache", "psow", "nolock", "immutable" };
	int isuri = strncmp(target, "file:", 5) == 0, seen[6] = { 0 };
	size_t len = strlen(target), pathlen = strcspn(target, isuri ? "?#" : "?");
	const char *q, *qend, *seg;
	char *name = NULL, *value = NULL, *o;
	int rc = MIGC_OK;
	size_t i;

	*uri = NULL;
	name = malloc(len + 1);
	value = malloc(len + 1);
	*uri = o = malloc(3 * len + 8);
	if (!name || !value || !o) {
		rc = MIGC_NOMEM;
		goto out;
	}
	if (migc__pctdecode(target, pathlen, name) != 0) {
		snprintf(err, nerr, "%%00 in the SQLite URL: SQLite would end the file name there");
		rc = MIGC_INPUT;
		goto out;
	}
	if (isuri && strncmp(target + 5, "//", 2) == 0) {
		size_t n = strcspn(target + 7, "/?#");

		if (n && !(n == 9 && strncmp(target + 7, "localhost", 9) == 0)) {
			snprintf(err, nerr, "file://%.*s/ in the SQLite URL: the host must be empty or localhost", (int)(n > 40 ? 40 : n), target + 7);
			rc = MIGC_INPUT;
			goto out;
		}
	}
	/* A path of a sqlite: URL is a file name: '#' in it is literal. */
	if (isuri) {
		put(&o, target, pathlen, 0);
	} else {
		put(&o, target[0] == '/' ? "file://" : "file:", target[0] == '/' ? 7 : 5, 0);
		put(&o, target, pathlen, 1);
	}
	q = target + pathlen;
	qend = isuri ? q + strcspn(q, "#") : target + len;
	if (*q == '?')
		q++;
	for (seg = q; rc == MIGC_OK && seg < qend; seg = q + 1) {
		size_t n, eq;

		q = seg + strcspn(seg, "&");
		if (q > qend)
			q = qend;
		n = (size_t)(q - seg);
		if (n == 0)
			continue;
		eq = strcspn(seg, "=");
		if (eq > n)
			eq = n;
		if (migc__pctdecode(seg, eq, name) != 0 || migc__pctdecode(seg + (eq < n ? eq + 1 : n), n - (eq < n ? eq + 1 : n), value) != 0) {
			snprintf(err, nerr, "%%00 in the SQLite URL: SQLite would end the parameter there");
			rc = MIGC_INPUT;
			break;
		}
		rc = checkparam(name, value, err, nerr);
		for (i = 0; rc == MIGC_OK && i < sizeof(known) / sizeof(known[0]); i++) {
			if (strcmp(name, known[i]) != 0)
				continue;
			if (seen[i]++) {
				snprintf(err, nerr, "%s= is given twice in the SQLite URL", name);
				rc = MIGC_INPUT;
			}
		}
		if (rc != MIGC_OK)
			break;
		put(&o, strchr(*uri, '?') ? "&" : "?", 1, 0);
		/* A read-only open may not create: rwc reads as rw there. */
		if (readonly && strcmp(name, "mode") == 0 && strcmp(value, "rwc") == 0)
			put(&o, "mode=rw", 7, 0);
		else
			put(&o, seg, n, !isuri);
	}
out:
	free(name);
	free(value);
	if (rc != MIGC_OK) {
		free(*uri);
		*uri = NULL;
	}
	return rc;
}
