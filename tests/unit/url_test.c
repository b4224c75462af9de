/*
** url_test.c: the copy of a database URL that migc prints, with every
** password masked; includes the inputs the fuzzer found (fuzz_url).
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
	/* fuzz_url findings: read before the string; a '#' in the password. */
	{ "password=s://", "password=s://" },
	{ "://:;1\nsqli#e:mC2C@CC\003@o", "://:***@o" },
};

int
main(void)
{
	size_t i;
	int nfail = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = redacturl(cases[i].url);

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
