/*
** flyway.c: what adopt needs to read Flyway's records (runtime/flyway.h).
** Versions are compared as Flyway's MigrationVersion compares them: each
** part a number, parts missing from the shorter one 0.
*/
#include <stdint.h>
#include <string.h>

#include "flyway.h"

static int
digit(int c)
{
	return c >= '0' && c <= '9';
}

/* The next part of s[*i..n): its digits without leading zeros, in
** [*start, *end); *i moves past it and its separator. */
static void
nextpart(const char *s, size_t n, size_t *i, size_t *start, size_t *end)
{
	while (*i < n && s[*i] == '0' && *i + 1 < n && digit(s[*i + 1]))
		++*i;
	*start = *i;
	while (*i < n && digit(s[*i]))
		++*i;
	*end = *i;
	if (*end - *start == 1 && s[*start] == '0')
		*end = *start;          /* 0 is the empty number */
	if (*i < n)
		++*i;
}

int
migc__flycmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

	while (i < an || j < bn) {
		size_t as = i, ae = i, bs = j, be = j;
		int c;

		if (i < an)
			nextpart(a, an, &i, &as, &ae);
		if (j < bn)
			nextpart(b, bn, &j, &bs, &be);
		if (ae - as != be - bs)
			return ae - as < be - bs ? -1 : 1;
		c = memcmp(a + as, b + bs, ae - as);
		if (c != 0)
			return c < 0 ? -1 : 1;
	}
	return 0;
}

size_t
migc__flyfilever(const char *file, const char **ver)
{
	size_t i = 1;

	if (!file || (file[0] != 'V' && file[0] != 'U') || !digit(file[1]))
		return 0;
	while (digit(file[i]) || ((file[i] == '.' || file[i] == '_') && digit(file[i + 1])))
		i++;
	if (file[i] != '_' || file[i + 1] != '_')
		return 0;
	*ver = file + 1;
	return i - 1;
}

long
migc__flychecksum(const char *text, unsigned long len)
{
	uint32_t crc = 0xFFFFFFFFu;
	unsigned long i;
	int k;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n' || text[i] == '\r')
			continue;
		crc ^= (unsigned char)text[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	crc ^= 0xFFFFFFFFu;
	return crc > 0x7FFFFFFFu ? (long)crc - 4294967296L : (long)crc;
}
