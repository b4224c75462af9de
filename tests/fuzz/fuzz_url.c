/*
** fuzz_url.c: libFuzzer target for what comes from flags and the
** environment: database URLs (kind, the SQLite URI of a SQLite one, the
** copy safe to print and libpq's messages masked; no byte of a password
** libpq reads ever survives either) and tracking table and schema names.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#ifdef MIGC_POSTGRES
#include <libpq-fe.h>
#endif

#include "migc.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BLANKS " \t\n\v\f\r"   /* isspace() in the C locale, as libpq reads keywords */

static const struct migc_set empty = { MIGC_LAYOUT, "sqlite", &migc_driver_sqlite, 0, 0, "c1:0" };

#ifdef MIGC_POSTGRES
/*
** Against libpq's own reading (PQconninfoParse, which connects nowhere):
** each password it reads in url is masked whole, every byte of it, in any
** text (migc__maskpw of the password itself is ***), and is not in the
** printed copy safe, unless it is somewhere else in url too, holds a '*',
** or url holds a '%' or a backslash (then what libpq reads may be written
** otherwise, and its text be anything else in url). libpq's own error,
** masked, is checked for nothing but not crashing.
*/
static void
checklibpq(const char *url, const char *safe)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, *masked;
	const char *p;

	opts = PQconninfoParse(url, &err);
	if (err) {
		free(migc__maskpw(err, url, NULL, 0));
		PQfreemem(err);
	}
	for (o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val || (strcmp(o->keyword, "password") != 0 && strcmp(o->keyword, "sslpassword") != 0))
			continue;
		masked = migc__maskpw(o->val, url, NULL, 0);
		if (masked && strcmp(masked, "***") != 0)
			abort();
		free(masked);
		p = strstr(url, o->val);
		if (safe && !strchr(o->val, '*') && !strpbrk(url, "%\\") && p && !strstr(p + 1, o->val) && strstr(safe, o->val))
			abort();
	}
	PQconninfoFree(opts);
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *db;
	char *s = malloc(size + 1), *safe;
	const char *target;
	migc *m;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (migc__urlkind(s, &target) == URL_SQLITE) {
		char *uri, err[256];
		int ro;

		for (ro = 0; ro < 2; ro++) {
			rc = migc__sqliteuri(target, ro, &uri, err, sizeof(err));
			if ((rc == MIGC_OK) != (uri != NULL) || (uri && strncmp(uri, "file:", 5) != 0))
				abort();
			free(uri);
		}
	}
	if (target && (target < s || target > s + strlen(s)))
		abort();
	safe = migc__redacturl(s);
	/* A password given as user:password@ never survives. */
	{
		const char *p = strstr(s, "://"), *at, *colon;

		if (safe && p && (at = strchr(p + 3, '@')) != NULL && !memchr(p + 3, '/', (size_t)(at - p - 3)) &&
		    (colon = memchr(p + 3, ':', (size_t)(at - p - 3))) != NULL && at - colon > 8) {
			char pw[64];
			size_t n = (size_t)(at - colon - 1) < sizeof(pw) - 1 ? (size_t)(at - colon - 1) : sizeof(pw) - 1;

			memcpy(pw, colon + 1, n);
			pw[n] = '\0';
			/* Only when the password occurs once: elsewhere it is not a secret. */
			if (strstr(s, pw) == colon + 1 && !strstr(colon + 2, pw) && strstr(safe, pw))
				abort();
		}
	}
	/* Nor one given first in a keyword string, whatever follows it
	** ("password=s://": no scheme starts it, so it is no URL), unless it
	** is empty. */
	if (safe && strncmp(s, "password=", 9) == 0 && s[9 + strspn(s + 9, BLANKS)] &&
	    (strncmp(safe, "password=", 9) != 0 || strncmp(safe + 9 + strspn(safe + 9, BLANKS), "***", 3) != 0))
		abort();
#ifdef MIGC_POSTGRES
	checklibpq(s, safe);
#endif
	free(safe);
	/* The names, on a handle of one connection kept for the whole run
	** (a NULL one fails to wrap). */
	if (!db && sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	if (migc_wrap_sqlite(&m, db, &empty) != MIGC_OK)
		abort();
	rc = migc_set_table(m, s);
	if (rc == MIGC_OK && (strlen(s) == 0 || strlen(s) > 63))
		abort();
	migc_set_schema(m, s);
	migc_close(m);
	free(s);
	return 0;
}
