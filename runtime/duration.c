/*
** duration.c: a duration is digits and a unit (500ms, 2s, 1min). The
** command line's timeouts and the generator's -- migc:lock-timeout read
** it here, so a file and a flag take the same values and refuse the
** same ones.
*/
#include <stddef.h>
#include <string.h>

#include "duration.h"

int
migc__parseduration(const char *s, size_t n, long *ms)
{
	static const struct { const char *unit; long ms; } units[] = { { "ms", 1 }, { "s", 1000 }, { "min", 60000 } };
	const long max = 2147483647L;
	size_t i = 0, k;
	long x = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (x > (max - (s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (n - i == strlen(units[k].unit) && memcmp(s + i, units[k].unit, n - i) == 0 && x <= max / units[k].ms) {
			*ms = x * units[k].ms;
			return 0;
		}
	return -1;
}
