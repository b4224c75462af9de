/*
** url_test.c: the copy of a database URL that migc prints, with every
** password masked (includes the inputs the fuzzer found, fuzz_url), and
** the SQLite URI that a sqlite:, sqlite3: or file: URL stands for.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"

static const struct {
	const char *url, *want;
} cases[] = {
	{ "sqlite:demo.db", "sqlite:demo.db" },
	{ "postgres://app@db/app", "postgres://app@db/app" },
	{ "postgres://app:s3cret@db:5432/app?sslmode=require", "postgres://app:***@db:5432/app?sslmode=require" },
	{ "postgresql://app:p@ss@db/app", "postgresql://app:***@db/app" },
	{ "postgres://app:pa#ss?x@db/app", "postgres://app:***@db/app" },
	{ "postgresql://db/app?user=app&password=s3cret&sslmode=require",
	  "postgresql://db/app?user=app&password=***&sslmode=require" },
	{ "host=db user=app password=s3cret dbname=app", "host=db user=app password=*** dbname=app" },
	{ "host=db password = 'it\\'s secret' dbname=app", "host=db password = *** dbname=app" },
	{ "host=db passwordx=1 dbname=app", "host=db passwordx=1 dbname=app" },
	/* SQLite URLs and file: URIs have no password, but one in their query
	** is masked all the same. */
	{ "sqlite:data.db?password=s3cret", "sqlite:data.db?password=***" },
	{ "file:data.db?mode=ro&password=s3cret", "file:data.db?mode=ro&password=***" },
	{ "sqlite3://data.db?password=s3cret&mode=ro", "sqlite3://data.db?password=***&mode=ro" },
	/* Every password= parameter, not only a first "password=" that is none. */
	{ "postgres://db/app?xpassword=1&password=s3cret", "postgres://db/app?xpassword=1&password=***" },
	{ "postgres://db/app?password=a1&password=b2", "postgres://db/app?password=***&password=***" },
	/* A keyword string is one whatever it holds: "://" after an '=' starts
	** no URL (libpq reads a URI only from a scheme at the start). */
	{ "password=s://", "password=***" },
	{ "host=db password=se://cret@x dbname=app", "host=db password=*** dbname=app" },
	{ "host=db password='a://b' dbname=app", "host=db password=*** dbname=app" },
	/* fuzz_url findings: read before the string; a '#' in the password. */
	{ "://:;1\nsqli#e:mC2C@CC\003@o", "://:***@o" },
};

/* URL, read-only open, then the URI, or "!" and a fragment of the error. */
static const struct {
	const char *url;
	int readonly;
	const char *want;
} uris[] = {
	{ "sqlite:data.db", 0, "file:data.db" },
	{ "sqlite://data.db?mode=rwc", 0, "file:data.db?mode=rwc" },
	{ "sqlite://data.db?mode=rwc", 1, "file:data.db?mode=rw" },
	{ "sqlite3://data.db?mode=ro&cache=shared", 1, "file:data.db?mode=ro&cache=shared" },
	{ "sqlite:///var/db/app.db?nolock=1&psow=0&immutable=off&vfs=unix-dotfile", 0,
	  "file:///var/db/app.db?nolock=1&psow=0&immutable=off&vfs=unix-dotfile" },
	{ "sqlite::memory:", 0, "file::memory:" },
	{ "sqlite::memory:?cache=shared", 0, "file::memory:?cache=shared" },
	{ "sqlite:what%3F.db", 0, "file:what%3F.db" },
	{ "sqlite:a#b.db?&&mode=rw&", 0, "file:a%23b.db?mode=rw" },
	{ "file:data.db?m%6Fde=ro", 0, "file:data.db?m%6Fde=ro" },
	{ "file:data.db?mode=rwc#frag", 1, "file:data.db?mode=rw" },
	{ "file://localhost/tmp/x.db", 0, "file://localhost/tmp/x.db" },
	{ "sqlite://data.db?journal_mode=wal", 0, "!unknown parameter 'journal_mode' in the SQLite URL: known are vfs, mode, cache, psow, nolock, immutable" },
	{ "sqlite://data.db?password=s3cret", 0, "!unknown parameter 'password'" },
	{ "sqlite://data.db?mode=rwx", 0, "!mode=rwx in the SQLite URL: mode is ro, rw, rwc or memory" },
	{ "sqlite://data.db?cache=none", 0, "!cache=none in the SQLite URL: cache is shared or private" },
	{ "sqlite://data.db?immutable", 0, "!immutable= in the SQLite URL: immutable is a boolean" },
	{ "sqlite://data.db?vfs=", 0, "!vfs= in the SQLite URL names no VFS" },
	{ "sqlite://data.db?mode=ro&mode=rw", 0, "!mode= is given twice" },
	{ "sqlite:data.db%00.bak", 0, "!%00 in the SQLite URL" },
	{ "sqlite:data.db?mode=r%00o", 0, "!%00 in the SQLite URL" },
	{ "file://db.example/x.db", 0, "!file://db.example/ in the SQLite URL: the host must be empty or localhost" },
};

static int
checkuris(void)
{
	size_t i;
	int nfail = 0;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		const char *target;
		char *uri = NULL, err[256] = "";
		int rc = migc__urlkind(uris[i].url, &target) == URL_SQLITE ? migc__sqliteuri(target, uris[i].readonly, &uri, err, sizeof(err)) : -1;
		int ok = uris[i].want[0] == '!' ? rc == MIGC_INPUT && !uri && strstr(err, uris[i].want + 1)
		                                : rc == MIGC_OK && uri && strcmp(uri, uris[i].want) == 0;

		if (ok) {
			printf("[PASS] url: %s%s -> %s\n", uris[i].url, uris[i].readonly ? " (read-only)" : "", uris[i].want);
		} else {
			printf("[FAIL] url: %s: want %s, got %d %s%s\n", uris[i].url, uris[i].want, rc, uri ? uri : "", err);
			nfail++;
		}
		free(uri);
	}
	return nfail;
}

int
main(void)
{
	size_t i;
	int nfail = checkuris();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = migc__redacturl(cases[i].url);

		if (got && strcmp(got, cases[i].want) == 0) {
			printf("[PASS] url: %s\n", cases[i].want);
		} else {
			printf("[FAIL] url: case %lu: want %s, got %s\n", (unsigned long)i, cases[i].want, got ? got : "NULL");
			nfail++;
		}
		free(got);
	}
	return nfail ? 1 : 0;
}
