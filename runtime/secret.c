/*
** secret.c: where a connection string holds passwords, found as libpq
** reads it, and copies with them masked as ***: of the string itself
** (what migc prints of a URL), and of a message libpq gave about it, which
** may repeat any part of it. A file of its own because it follows libpq's
** parser (fe-connect.c), not SQLite's, which url.c follows.
*/
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "grow.h"
#include "text.h"

/*
** libpq reads a text as a URI when it starts with postgresql:// or
** postgres://: user[:password]@ runs to the first '@' before the first
** '/', and the query's parameters (after the first '?' past the hosts)
** run to the next '&' ('#' is no end); names and values are
** percent-decoded. Any other text it reads as keyword=value pairs,
** between blanks (isspace in the C locale: newlines, tabs and CR too);
** blanks may surround the '='; a value is quoted with '...' or not, a
** backslash keeping the next byte (a blank too) in either. A later
** password= overrides an earlier one.
**
** What a user may have meant is masked too: a password with an unencoded
** '@' or '/' (see scanuri), words that follow an
** unquoted password (libpq refuses them, naming each: missing "="), and,
** in a text that is not a libpq URI, each URL it holds (another scheme's,
** one after a blank, one in a value: the server repeats a dbname). The
** keys are password and sslpassword (a client key's passphrase).
*/
#define BLANKS " \t\n\v\f\r"

struct span {
	size_t from, to;
};

struct scan {
	const char *s;
	struct span *span;      /* of s, to mask in its copy */
	size_t nspan, capspan;
	char **val;             /* texts to mask wherever they appear */
	size_t nval, capval;
	int nomem;
};

static int
pwkey(const char *name, size_t n)
{
	return (n == 8 && strncmp(name, "password", 8) == 0) || (n == 11 && strncmp(name, "sslpassword", 11) == 0);
}

/* Remember s[0..n) as a text to mask (not an empty one). */
static void
addval(struct scan *sc, const char *s, size_t n)
{
	char **v, *p;

	if (n == 0 || sc->nomem)
		return;
	v = migc__grow(sc->val, sc->nval, &sc->capval, sizeof(*v));
	p = malloc(n + 1);
	if (!v || !p) {
		free(p);
		sc->nomem = 1;
		return;
	}
	sc->val = v;
	memcpy(p, s, n);
	p[n] = '\0';
	sc->val[sc->nval++] = p;
}

/* Remember s[0..n) and, percent-decoded, the value it stands for. */
static void
addpct(struct scan *sc, const char *s, size_t n)
{
	char *d = malloc(n + 1);

	addval(sc, s, n);
	if (!d) {
		sc->nomem = 1;
		return;
	}
	if (migc__pctdecode(s, n, d) == 0)
		addval(sc, d, strlen(d));
	free(d);
}

/* Mask sc->s[from..to) in the copy, and its text everywhere. */
static void
addspan(struct scan *sc, size_t from, size_t to)
{
	struct span *v;

	if (to <= from || sc->nomem)
		return;
	v = migc__grow(sc->span, sc->nspan, &sc->capspan, sizeof(*v));
	if (!v) {
		sc->nomem = 1;
		return;
	}
	sc->span = v;
	sc->span[sc->nspan].from = from;
	sc->span[sc->nspan++].to = to;
	addval(sc, sc->s + from, to - from);
}

/* The password parameters of a query starting at s[q]. */
static void
scanquery(struct scan *sc, size_t q)
{
	const char *s = sc->s;
	char *name;

	while (s[q]) {
		size_t end = q + strcspn(s + q, "&"), eq = q + strcspn(s + q, "=&");

		if (eq < end) {
			name = malloc(eq - q + 1);
			if (!name) {
				sc->nomem = 1;
				return;
			}
			if (migc__pctdecode(s + q, eq - q, name) == 0 && pwkey(name, strlen(name))) {
				addspan(sc, eq + 1, end);
				addpct(sc, s + eq + 1, end - eq - 1);
			}
			free(name);
		}
		q = s[end] ? end + 1 : end;
	}
}

/*
** Where the query starts in a URI whose hosts start at s[h] (libpq:
** host[:port] or [ipv6][:port], comma-separated, then /dbname): after its
** '?', or 0 when it has none. Where libpq would stop with an error it
** may repeat the whole URI: then the first '?' from there.
*/
static size_t
querystart(const char *s, size_t h)
{
	for (;;) {
		if (s[h] == '[') {
			size_t b = h;

			h += strcspn(s + h, "]");
			if (!s[h]) {
				h = b;
				break;
			}
			h++;
		} else {
			h += strcspn(s + h, ":/?,");
		}
		if (s[h] == ':')
			h += strcspn(s + h, "/?,");
		if (s[h] != ',')
			break;
		h++;
	}
	h += strcspn(s + h, "?");
	return s[h] ? h + 1 : 0;
}

/* A URI's authority from s[start] (just after "scheme:" and its slashes). */
static void
scanuri(struct scan *sc, size_t start)
{
	const char *s = sc->s;
	size_t slash = start + strcspn(s + start, "/"), first = start + strcspn(s + start, "@/"), end = slash, last, colon, i, q;

	/* libpq's password runs from the ':' to the first '@' before the first
	** '/'; the one meant, to the last '@' before it, or, with none, to the
	** last '@' before the '?' (libpq then reads the '/' as the end of
	** host:port, and the rest as the database's name). Both are masked,
	** and each piece of it, which libpq reads as a host, a port or a name,
	** and names in its errors. */
	if (s[first] != '@')
		end = slash + strcspn(s + slash, "?");
	for (last = end, i = first; i < end; i++)
		if (s[i] == '@')
			last = i;
	colon = start + strcspn(s + start, ":");
	if (s[last] == '@' && colon < last && colon < slash) {
		addspan(sc, colon + 1, last);
		addpct(sc, s + colon + 1, last - colon - 1);
		for (i = colon + 1; i < last; i += strcspn(s + i, "@/") + 1)
			addpct(sc, s + i, strcspn(s + i, "@/"));
	}
	if ((q = querystart(s, s[first] == '@' ? first + 1 : start)) != 0)
		scanquery(sc, q);
	if (s[last] == '@' && last != first && (q = querystart(s, last + 1)) != 0)
		scanquery(sc, q);
}

/* A keyword value starting at s[v], unquoted into out (room for
** strlen(s + v) + 1); returns the index after it. */
static size_t
kwvalue(const char *s, size_t v, char *out)
{
	int quoted = s[v] == '\'';
	size_t i = v + (size_t)quoted, k = 0;

	while (s[i] && (quoted ? s[i] != '\'' : !strchr(BLANKS, s[i]))) {
		if (s[i] == '\\' && !s[++i])
			break;
		out[k++] = s[i++];
	}
	out[k] = '\0';
	return quoted && s[i] == '\'' ? i + 1 : i;
}

static void
scankeywords(struct scan *sc)
{
	const char *s = sc->s;
	size_t i = 0, name, n, v, end;
	char *out = malloc(strlen(s) + 1);
	int afterpw = 0;

	if (!out) {
		sc->nomem = 1;
		return;
	}
	while (s[i]) {
		if (strchr(BLANKS, s[i])) {
			i++;
			continue;
		}
		name = i;
		n = strcspn(s + i, "=" BLANKS);
		v = i + n + strspn(s + i + n, BLANKS);
		if (s[v] != '=') {
			/* A word without '=' (libpq: an error that names it). */
			if (afterpw) {
				sc->span[sc->nspan - 1].to = name + n;
				addval(sc, s + name, n);
				addval(sc, s + sc->span[sc->nspan - 1].from, name + n - sc->span[sc->nspan - 1].from);
			}
			i = v;
			continue;
		}
		v++;
		v += strspn(s + v, BLANKS);
		end = kwvalue(s, v, out);
		afterpw = 0;
		if (pwkey(s + name, n) && end > v) {
			addspan(sc, v, end);
			addval(sc, out, strlen(out));
			if (s[v] == '\'')
				addval(sc, s + v + 1, end - v - 1 - (s[end - 1] == '\'' && end - v > 1));
			afterpw = !sc->nomem;
		}
		i = end;
	}
	free(out);
}

/* The length of the scheme:// after which libpq reads s as a URI, or 0. */
static int
libpquri(const char *s)
{
	return strncmp(s, "postgresql://", 13) == 0 ? 13 : strncmp(s, "postgres://", 11) == 0 ? 11 : 0;
}

static void
scan(struct scan *sc, const char *s)
{
	const char *p;
	size_t n;

	memset(sc, 0, sizeof(*sc));
	sc->s = s;
	if ((n = (size_t)libpquri(s)) != 0) {
		scanuri(sc, n);
		return;
	}
	scankeywords(sc);
	/* A text that starts with a scheme, with or without its "//", and
	** each "://" further on. */
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.");
	if (n && s[n] == ':')
		scanuri(sc, n + 1 + strspn(s + n + 1, "/"));
	for (p = s + (n && s[n] == ':' ? n + 1 : 0); (p = strstr(p, "://")) != NULL; p += 3)
		scanuri(sc, (size_t)(p - s) + 3);
}

static void
scanfree(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nval; i++)
		free(sc->val[i]);
	free(sc->val);
	free(sc->span);
}

static int
byfrom(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* The copy of sc->s with its spans masked (malloc'd; NULL when out of memory). */
static char *
maskspans(struct scan *sc)
{
	struct migc__text t = { NULL, 0, 0, 0 };
	size_t i, at = 0;

	if (sc->nspan)
		qsort(sc->span, sc->nspan, sizeof(*sc->span), byfrom);
	migc__textadd(&t, "", 0);
	for (i = 0; i < sc->nspan; i++) {
		if (sc->span[i].to <= at)
			continue;
		if (sc->span[i].from >= at) {
			migc__textadd(&t, sc->s + at, sc->span[i].from - at);
			migc__textadd(&t, "***", 3);
		}
		at = sc->span[i].to;
	}
	migc__textputs(&t, sc->s + at);
	if (t.nomem || sc->nomem) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

char *
migc__redacturl(const char *url)
{
	struct scan sc;
	char *out;

	scan(&sc, url);
	out = maskspans(&sc);
	scanfree(&sc);
	return out;
}

char *
migc__maskpw(const char *text, const char *url, const char *const *extra, size_t nextra)
{
	struct migc__text t = { NULL, 0, 0, 0 };
	struct scan sc;
	size_t n = strlen(text), nurl, i, k;
	char *mark, *safe = NULL;
	const char *p;

	scan(&sc, url ? url : "");
	for (k = 0; k < nextra; k++)
		if (extra[k])
			addval(&sc, extra[k], strlen(extra[k]));
	nurl = url ? strlen(url) : 0;
	if (sc.nspan)
		safe = maskspans(&sc);
	mark = calloc(n + 1, 1);
	if (!mark || (sc.nspan && !safe))
		sc.nomem = 1;
	for (k = 0; !sc.nomem && k < sc.nval; k++)
		for (p = text; (p = strstr(p, sc.val[k])) != NULL; p++)
			memset(mark + (p - text), 1, strlen(sc.val[k]));
	migc__textadd(&t, "", 0);
	for (i = 0; !sc.nomem && i < n;) {
		if (safe && strncmp(text + i, url, nurl) == 0) {
			migc__textputs(&t, safe);
			i += nurl;
		} else if (mark[i]) {
			migc__textadd(&t, "***", 3);
			while (i < n && mark[i])
				i++;
		} else {
			migc__textadd(&t, text + i++, 1);
		}
	}
	free(mark);
	free(safe);
	if (sc.nomem || t.nomem) {
		free(t.s);
		t.s = NULL;
	}
	scanfree(&sc);
	return t.s;
}
