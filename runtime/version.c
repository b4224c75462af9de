/*
** version.c: a migration version is decimal digits, 1 to INT64_MAX in a
** file name and 0 to INT64_MAX as an operand (--to 0: all). The
** generator's file-name parser and the command line read them here, so
** both refuse the same out-of-range numbers.
*/
#include <stddef.h>
#include <stdint.h>

#include "version.h"

const char *
migc__versiondigits(const char *s, int64_t *v)
{
	int64_t x = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (INT64_MAX - (*s - '0')) / 10)
			return NULL;
		x = x * 10 + (*s - '0');
	}
	*v = x;
	return s;
}

int
migc__parseversion(const char *s, int64_t *v)
{
	int64_t x;
	const char *end = migc__versiondigits(s, &x);

	if (!end || end == s || *end)
		return -1;
	*v = x;
	return 0;
}
