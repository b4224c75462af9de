/*
** names.c: what a migration file's name says. NNNN_name.sql is an up
** migration, NNNN_name.down.sql its down; the version is the leading
** digits (runtime/version.c reads them, as the command line reads --to),
** 1 to INT64_MAX; the name holds letters, digits, '_', '-' and '.'.
** Every part of migc that reads a file name (loading a directory,
** migc new, the fuzz target) asks this file.
*/
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "version.h"
#include "names.h"

static int
isnamechar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

int
parsefilename(const char *file, int64_t *version, const char **name,
              size_t *namelen, int *isdown, const char **why)
{
	const char *p, *end = file + strlen(file);
	int64_t v;

	*why = "file name does not match NNNN_name.sql or NNNN_name.down.sql";
	p = migc__versiondigits(file, &v);
	if (!p) {
		*why = "version is out of range (at most 9223372036854775807)";
		return -1;
	}
	if (p == file || *p != '_')
		return -1;
	p++;
	if (end - p < 5 || strcmp(end - 4, ".sql") != 0)
		return -1;
	end -= 4;
	*isdown = end - p > 5 && memcmp(end - 5, ".down", 5) == 0;
	if (*isdown)
		end -= 5;
	if (p == end)
		return -1;
	for (*name = p; p < end; p++) {
		if (!isnamechar((unsigned char)*p)) {
			*why = "a migration name may hold only letters, digits, '_', '-' and '.'";
			return -1;
		}
	}
	if (v == 0) {
		*why = "version 0 is reserved: versions start at 1";
		return -1;
	}
	*version = v;
	*namelen = (size_t)(end - *name);
	return 0;
}
