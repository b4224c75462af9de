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
digit(int c)
{
	return c >= '0' && c <= '9';
}

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

int
parserepeatable(const char *file, const char **name, size_t *namelen, const char **why)
{
	size_t n = strlen(file), k;

	if (n < 7 || strncmp(file, "R__", 3) != 0 || strcmp(file + n - 4, ".sql") != 0)
		return 0;
	*name = file + 3;
	*namelen = n - 7;
	if (*namelen == 0) {
		*why = "has no name after R__ (R__name.sql)";
		return -1;
	}
	for (k = 0; k < *namelen; k++) {
		if (!isnamechar((unsigned char)(*name)[k])) {
			*why = "a migration name may hold only letters, digits, '_', '-' and '.'";
			return -1;
		}
	}
	if (*namelen >= 5 && memcmp(*name + *namelen - 5, ".down", 5) == 0) {
		*why = "is a repeatable migration named like a down file: repeatable migrations have no down migration";
		return -1;
	}
	return 1;
}

/* V or U, a version (runs of digits joined by one '.' or '_'), "__", a
** description, ".sql"; or R, "__", a description, ".sql". */
int
flywayname(const char *file, struct flyname *f)
{
	size_t n = strlen(file), i = 1, ndots = 0, nunders = 0, k;

	if (n < 7 || strcmp(file + n - 4, ".sql") != 0)
		return 0;
	f->kind = file[0];
	f->ver = file + 1;
	if (f->kind == 'R') {
		if (file[1] != '_' || file[2] != '_')
			return 0;
	} else if (f->kind == 'V' || f->kind == 'U') {
		for (;;) {
			size_t start = i;

			while (digit(file[i]))
				i++;
			if (i == start)
				return 0;
			if (file[i] == '_' && file[i + 1] == '_')
				break;
			if ((file[i] != '.' && file[i] != '_') || !digit(file[i + 1]))
				return 0;
			if (file[i] == '.')
				ndots++;
			else
				nunders++;
			i++;
		}
	} else {
		return 0;
	}
	f->verlen = i - 1;
	i += 2;
	if (i > n - 4)
		return 0;
	f->desc = file + i;
	f->desclen = n - 4 - i;
	f->integer = f->verlen > 0 && ndots == 0 && nunders == 0;
	f->refinery = f->kind != 'R' && nunders == 0 && ndots <= 1 && f->desclen > 0;
	for (k = 0; k < f->desclen; k++) {
		int c = (unsigned char)f->desc[k];

		if (!(digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
			f->refinery = 0;
	}
	return 1;
}

/* f's whole-number version into *version, 1 to max: 0, or -1 with *why
** (range when it is out of range). */
static int
flyversion(const struct flyname *f, int64_t max, const char *range, int64_t *version, const char **why)
{
	char ver[24];

	*why = range;
	if (f->verlen >= sizeof(ver))
		return -1;
	memcpy(ver, f->ver, f->verlen);
	ver[f->verlen] = '\0';
	if (migc__versiondigits(ver, version) == NULL || *version > max)
		return -1;
	if (*version == 0) {
		*why = "version 0 is reserved: versions start at 1";
		return -1;
	}
	return 0;
}

/*
** f's dotted version (--layout flyway-dotted) as one whole number: MAJOR,
** MAJOR.MINOR or MAJOR.MINOR.PATCH (parts joined by '.' or '_', as Flyway
** reads them) is MAJOR * 1000000 + MINOR * 1000 + PATCH, so that Flyway's
** order (each part compared as a number, a missing one 0) is the order of
** the numbers, and a file's number never depends on the others. MINOR and
** PATCH are at most 999, MAJOR at most 9223372036853 (the sum fits in 64
** bits). 0, or -1 with *why.
*/
static int
flydotted(const struct flyname *f, int64_t *version, const char **why)
{
	int64_t part[3] = { 0, 0, 0 };
	size_t i = 0, k = 0;

	while (i < f->verlen) {
		int64_t v = 0;

		if (k == 3) {
			*why = "has a Flyway version of more than three parts, which --layout flyway-dotted cannot map to a "
			       "migc version (it maps MAJOR.MINOR.PATCH to MAJOR * 1000000 + MINOR * 1000 + PATCH)";
			return -1;
		}
		for (; i < f->verlen && digit(f->ver[i]); i++) {
			if (v > (INT64_MAX - 9) / 10)
				v = INT64_MAX / 10;     /* past any limit below */
			else
				v = v * 10 + (f->ver[i] - '0');
		}
		part[k++] = v;
		i++;
	}
	if (part[1] > 999 || part[2] > 999) {
		*why = "has a Flyway version part after the first above 999, which --layout flyway-dotted cannot map to a "
		       "migc version (MAJOR * 1000000 + MINOR * 1000 + PATCH)";
		return -1;
	}
	if (part[0] > (INT64_MAX - 999999) / 1000000) {
		*why = "version is out of range for --layout flyway-dotted (its first part at most 9223372036853)";
		return -1;
	}
	*version = part[0] * 1000000 + part[1] * 1000 + part[2];
	if (*version == 0) {
		*why = "version 0 is reserved: versions start at 1";
		return -1;
	}
	return 0;
}

int
parseflyway(const char *file, int dotted, int64_t *version, const char **name, size_t *namelen, int *isdown,
            const char **why)
{
	struct flyname f;
	size_t k;

	*why = "is not a Flyway migration name, which Flyway would skip: it reads V<version>__<description>.sql "
	       "and U<version>__<description>.sql";
	if (!flywayname(file, &f))
		return -1;
	if (f.kind == 'R') {
		*why = "is a Flyway repeatable migration (R__), which migc does not read yet: put its statements in a "
		       "versioned migration";
		return -1;
	}
	if (!f.integer && !dotted) {
		*why = "has a dotted Flyway version, which --layout flyway does not read: its versions are whole numbers "
		       "(V1__, V20240131120000__), as migc's are; --layout flyway-dotted maps dotted ones to whole "
		       "numbers, every version of the set (V1.1__ is 1001000, V2__ 2000000)";
		return -1;
	}
	if (dotted ? flydotted(&f, version, why) != 0
	    : flyversion(&f, INT64_MAX, "version is out of range (at most 9223372036854775807)", version, why) != 0)
		return -1;
	if (f.desclen == 0) {
		*why = "has no description after its __ (migc needs one as the migration's name: V1__name.sql)";
		return -1;
	}
	for (k = 0; k < f.desclen; k++) {
		if (!isnamechar((unsigned char)f.desc[k])) {
			*why = "a migration name may hold only letters, digits, '_', '-' and '.'";
			return -1;
		}
	}
	*name = f.desc;
	*namelen = f.desclen;
	*isdown = f.kind == 'U';
	return 0;
}

int
parserefinery(const char *file, int64_t *version, const char **name, size_t *namelen, int *isdown,
              const char **why)
{
	struct flyname f;

	*why = "is not a refinery migration name, which refinery would skip: it reads V<version>__<name>.sql and "
	       "U<version>__<name>.sql, the name letters, digits and '_'";
	if (!flywayname(file, &f) || !f.refinery)
		return -1;
	if (!f.integer) {
		*why = "has a dotted version, which refinery refuses too (its versions are 32-bit integers)";
		return -1;
	}
	if (flyversion(&f, INT32_MAX, "version is out of refinery's range (a 32-bit integer, at most 2147483647)",
	               version, why) != 0)
		return -1;
	*name = f.desc;
	*namelen = f.desclen;
	*isdown = 0;
	return 0;
}
