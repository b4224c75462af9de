/*
** url.c: what kind of database a URL names, and a copy of it that is
** safe to print (a password never leaves this file).
*/
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"

enum urlkind
urlkind(const char *url, const char **target)
{
	*target = NULL;
	if (!url)
		return URL_BAD;
	if (strncmp(url, "sqlite:", 7) == 0) {
		const char *p = url + 7;

		if (strncmp(p, "//", 2) == 0)
			p += 2;
		if (*p == '\0')
			return URL_BAD;
		*target = p;
		return URL_SQLITE;
	}
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0 ||
	    strchr(url, '=') != NULL) {
		*target = url;
		return URL_POSTGRES;
	}
	return URL_BAD;
}

/* Replace s[from..to) of the copy in *out with "***". */
static char *
mask(const char *s, size_t from, size_t to)
{
	size_t n = strlen(s);
	char *out = malloc(n - (to - from) + 4);

	if (!out)
		return NULL;
	memcpy(out, s, from);
	memcpy(out + from, "***", 3);
	memcpy(out + from + 3, s + to, n - to + 1);
	return out;
}

char *
redacturl(const char *url)
{
	const char *p, *at, *colon, *end;
	char *out, *next;

	p = strstr(url, "://");
	if (p) {
		/* scheme://user:password@host/...: as libpq reads it, the
		** userinfo runs to an '@' before the first '/' ('?' and '#'
		** included); mask through the last such '@'. */
		p += 3;
		end = p + strcspn(p, "/");
		for (at = NULL, colon = p; colon < end; colon++)
			if (*colon == '@')
				at = colon;
		if (at) {
			colon = memchr(p, ':', (size_t)(at - p));
			if (colon)
				return mask(url, (size_t)(colon + 1 - url), (size_t)(at - url));
		}
		/* ?password=... in the query string */
		p = strstr(url, "password=");
		if (p && p > url && (p[-1] == '?' || p[-1] == '&'))
			return mask(url, (size_t)(p + 9 - url), (size_t)(p + 9 + strcspn(p + 9, "&#") - url));
		return strdup_(url);
	}
	/* keyword=value strings: mask the value of every password keyword. */
	out = strdup_(url);
	for (p = out; out && (p = strstr(p, "password")) != NULL; p = next) {
		const char *v = p + 8;

		next = (char *)v;
		if (p != out && p[-1] != ' ' && p[-1] != '\t')
			continue;
		while (*v == ' ')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ')
			v++;
		if (*v == '\'') {
			const char *q = v + 1;

			while (*q && *q != '\'')
				q += (*q == '\\' && q[1]) ? 2 : 1;
			end = *q ? q + 1 : q;
		} else {
			end = v + strcspn(v, " \t");
		}
		{
			size_t off = (size_t)(v - out) + 3;
			char *masked = mask(out, (size_t)(v - out), (size_t)(end - out));

			free(out);
			out = masked;
			next = out ? out + off : NULL;
		}
		if (!out)
			break;
	}
	return out;
}
