/*
** url_test.c: the copy of a database URL that migc prints, with every
** password masked (includes the inputs the fuzzer found, fuzz_url), the
** same for libpq's messages, held to what libpq itself reads, and the
** SQLite URI that a sqlite:, sqlite3: or file: URL stands for.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MIGC_POSTGRES
#include <libpq-fe.h>
#endif

#include "migc.h"
#include "internal.h"

/* s on one line: control bytes as \\ooo. */
static void
putescaped(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			printf("\\%03o", (unsigned char)*s);
		else
			putchar(*s);
}

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

/*
** Every form of password issue 14 lists, and the ones found on the way:
** the copy printed, beside what libpq reads (tests/postgres.sh runs the
** same forms through a real migc). S3cretPW never survives.
*/
static const struct {
	const char *name, *url, *want;
} forms[] = {
	{ "a keyword string with :// in another value",
	  "host=db application_name=x://y password=S3cretPW dbname=app", "host=db application_name=x://y password=*** dbname=app" },
	{ "a keyword string with :// and @ in another value",
	  "options=-cx://u:v@w password=S3cretPW", "options=-cx://u:***@w password=***" },
	{ "keywords separated by newlines", "host=db\npassword=S3cretPW\ndbname=app", "host=db\npassword=***\ndbname=app" },
	{ "keywords separated by tabs", "host=db\tpassword\t=\tS3cretPW\tdbname=app", "host=db\tpassword\t=\t***\tdbname=app" },
	{ "keywords separated by CR LF", "host=db\r\npassword=S3cretPW\r\ndbname=app", "host=db\r\npassword=***\r\ndbname=app" },
	{ "keywords separated by a CR, a vertical tab and a form feed", "host=db\rpassword=S3cretPW\v\fdbname=app",
	  "host=db\rpassword=***\v\fdbname=app" },
	{ "a value with a backslash-escaped space", "host=db password=x\\ S3cretPW dbname=app", "host=db password=*** dbname=app" },
	{ "an unquoted password with a space (libpq: missing =)", "host=db password=x S3cretPW dbname=app", "host=db password=*** dbname=app" },
	{ "a value after blanks, which libpq reads past the next keyword", "host=db password= S3cretPW=x dbname=app",
	  "host=db password= *** dbname=app" },
	{ "a second password= keyword (libpq uses the last)", "password=first1 host=db password=S3cretPW", "password=*** host=db password=***" },
	{ "sslpassword=", "host=db sslpassword=S3cretPW sslkey=k", "host=db sslpassword=*** sslkey=k" },
	{ "a percent-encoded key in a URL query", "postgres://db/app?pass%77ord=S3cretPW&sslmode=require",
	  "postgres://db/app?pass%77ord=***&sslmode=require" },
	{ "a percent-encoded key in a URL query, first letter", "postgresql://db/app?%70assword=S3cretPW", "postgresql://db/app?%70assword=***" },
	{ "a second password= in a URL query", "postgres://db/app?password=first1&password=S3cretPW",
	  "postgres://db/app?password=***&password=***" },
	{ "a URL with both user:pw@ and ?password=", "postgres://app:Userinfo1@db/app?sslmode=require&password=S3cretPW",
	  "postgres://app:***@db/app?sslmode=require&password=***" },
	{ "a # in a URL query value (libpq reads it as the value's)", "postgres://db/app?password=S3c#retPW&sslmode=require",
	  "postgres://db/app?password=***&sslmode=require" },
	{ "sslpassword= in a URL query", "postgres://db/app?sslpassword=S3cretPW", "postgres://db/app?sslpassword=***" },
	{ "an invalid percent-encoding in the password", "postgres://app:S3c%ZZretPW@db/app", "postgres://app:***@db/app" },
	{ "an unencoded @ in the password", "postgres://app:S3c@retPW@db/app", "postgres://app:***@db/app" },
	{ "a bad IPv6 host", "postgres://app:S3cretPW@[::1/app", "postgres://app:***@[::1/app" },
	{ "an unencoded / in the password (libpq: a port, then a database name)", "postgres://app:S3c/retPW@db/app?sslmode=require",
	  "postgres://app:***@db/app?sslmode=require" },
	{ "another scheme's URL with a =", "mysql://app:S3cretPW@db/app?a=b", "mysql://app:***@db/app?a=b" },
	{ "a URL after blanks (libpq reads a keyword string)", "  postgres://app:S3cretPW@db/app", "  postgres://app:***@db/app" },
	{ "a URL with one slash", "postgres:/app:S3cretPW@db/app", "postgres:/app:***@db/app" },
	{ "an invalid percent-encoding in ?password=", "postgres://db/app?password=S3c%ZZretPW", "postgres://db/app?password=***" },
	{ "an empty IPv6 host before ?password=", "postgres://app:S3cretPW@[]/app?password=S3cOne", "postgres://app:***@[]/app?password=***" },
	{ "an unterminated IPv6 host holding ?password=", "postgres://app@[::1?password=S3cretPW", "postgres://app@[::1?password=***" },
	{ "a [ in the database name", "postgres://db/a[p?password=S3cretPW", "postgres://db/a[p?password=***" },
	{ "a keyword string whose dbname is a URL", "host=db dbname=postgres://app:S3cretPW@x/y", "host=db dbname=postgres://app:***@x/y" },
	{ "a quoted password and a word after it", "host=db password='S3c ret' PW", "host=db password=***" },
};

/*
** Masking a message libpq gave about connecting through a URL: text, URL,
** and what migc prints of the text.
*/
static const struct {
	const char *name, *text, *url, *want;
} masks[] = {
	{ "libpq's percent-encoding error", "invalid percent-encoded token: \"S3c%ZZretPW\"\n",
	  "postgres://app:S3c%ZZretPW@db/app", "invalid percent-encoded token: \"***\"\n" },
	{ "a URL repeated whole is its printed copy",
	  "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgres://app:pw@[::1/app\"",
	  "postgres://app:pw@[::1/app",
	  "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgres://app:***@[::1/app\"" },
	{ "the host libpq reads after an unencoded @", "could not translate host name \"retPW@db\" to address: Name or service not known\n",
	  "postgres://app:S3c@retPW@db/app", "could not translate host name \"***@db\" to address: Name or service not known\n" },
	{ "a password as libpq decodes it", "password p@ss", "postgres://app:p%40ss@db/app", "password ***" },
	{ "the port and database name libpq reads after an unencoded /",
	  "invalid integer value \"S3c\" for connection option \"port\"; database \"retPW@db/app\" does not exist",
	  "postgres://app:S3c/retPW@db/app", "invalid integer value \"***\" for connection option \"port\"; database \"***@db/app\" does not exist" },
	{ "a keyword value as libpq unquotes it", "missing \"=\" after \"S3cretPW\"; \"x S3cretPW\", \"it's\"",
	  "password=x S3cretPW password='it\\'s'", "missing \"=\" after \"***\"; \"***\", \"***\"" },
	{ "overlapping passwords, every byte", "xxabcdefyy", "postgres://app:abcd@db/app?password=cdef", "xx***yy" },
	{ "every password, the first and the last", "S3cOne and S3cretPW", "password=S3cOne password=S3cretPW", "*** and ***" },
	{ "text that holds *** is kept as it is", "it says *** and password=*** already: 'x***'",
	  "postgres://app:S3cretPW@db/app", "it says *** and password=*** already: 'x***'" },
	{ "a password of asterisks", "a ** b *** c", "password=**", "a *** b *** c" },
	{ "no password, nothing masked", "could not connect to server", "postgres://app@db/app", "could not connect to server" },
	{ "no URL", "could not connect to server", NULL, "could not connect to server" },
};

/* Report got (freed) against want, as a case of what: 1 when they differ. */
static int
same(const char *what, const char *name, char *got, const char *want)
{
	int differ = !got || strcmp(got, want) != 0;

	printf("[%s] %s: %s", differ ? "FAIL" : "PASS", what, name);
	if (differ) {
		printf(": got ");
		putescaped(got ? got : "NULL");
	}
	printf("\n");
	free(got);
	return differ;
}

static int
checkmasks(void)
{
	const char *extra[] = { NULL, "PGpw-S3cret", "" };
	size_t i;
	int nfail = 0;

	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++)
		nfail += same("url: libpq's message", masks[i].name, migc__maskpw(masks[i].text, masks[i].url, NULL, 0), masks[i].want);
	/* PGPASSWORD's value and the one libpq used, NULL and empty skipped. */
	nfail += same("url: libpq's message", "PGPASSWORD's value",
	              migc__maskpw("auth failed (PGpw-S3cret)", "postgres://app@db/app", extra, 3), "auth failed (***)");
	return nfail;
}

#ifdef MIGC_POSTGRES
/*
** What libpq itself reads (PQconninfoParse, which connects nowhere): its
** error repeats no password once masked, and each password it reads is
** one migc masks whole.
*/
static int
checklibpq(const char *name, const char *url)
{
	char *err = NULL, *got;
	PQconninfoOption *opts = PQconninfoParse(url, &err), *o;
	int ok = 1;

	if (err) {
		got = migc__maskpw(err, url, NULL, 0);
		ok = got && !strstr(got, "S3c") && !strstr(got, "retPW");
		if (!ok)
			printf("    libpq: %s    masked: %s\n", err, got ? got : "NULL");
		free(got);
		PQfreemem(err);
	}
	for (o = opts; o && o->keyword; o++) {
		if (!o->val || !*o->val || (strcmp(o->keyword, "password") != 0 && strcmp(o->keyword, "sslpassword") != 0))
			continue;
		got = migc__maskpw(o->val, url, NULL, 0);
		if (!got || strcmp(got, "***") != 0) {
			printf("    libpq reads %s=%s, masked as %s\n", o->keyword, o->val, got ? got : "NULL");
			ok = 0;
		}
		free(got);
	}
	PQconninfoFree(opts);
	printf("[%s] url: libpq's reading: %s\n", ok ? "PASS" : "FAIL", name);
	return !ok;
}
#endif

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
	nfail += checkmasks();
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		nfail += same("url: the printed copy", forms[i].name, migc__redacturl(forms[i].url), forms[i].want);
#ifdef MIGC_POSTGRES
		nfail += checklibpq(forms[i].name, forms[i].url);
#endif
	}
	return nfail ? 1 : 0;
}
