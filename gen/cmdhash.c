/*
** cmdhash.c: `migc hash DIR`, which writes DIR/migc.sum (gen/sum.c) for
** the directory as it is, to commit beside the migrations.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "layout.h"
#include "load.h"
#include "sum.h"
#include "output.h"
#include "command.h"

const char hashusage[] =
	"usage: migc hash [--layout " LAYOUT_NAMES "] DIR\n"
	"  Write DIR/migc.sum: a manifest of the migrations' checksums that\n"
	"  migc check and migc gen compare the directory with.\n"
	"  --layout L   the files' layout: migc (the default), goose, dbmate, sql-migrate,\n"
	"               golang-migrate, sqlx, flyway or refinery\n"
	"  --dir DIR    the same as the DIR operand\n";

int
cmdhash(int argc, char **argv)
{
	enum layout layout = LAYOUT_MIGC;
	const char *dir = NULL;
	int rc, i;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(hashusage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--layout") == 0 && i + 1 < argc) {
			if ((rc = layoutoption(hashusage, argv[++i], &layout)) != 0)
				return rc;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			if ((rc = diroption(hashusage, argv[++i], &dir)) != 0)
				return rc;
		} else if (argv[i][0] == '-' || dir) {
			return usageerror(hashusage, "hash needs exactly one directory%s", "");
		} else {
			dir = argv[i];
		}
	}
	if (!dir)
		return usageerror(hashusage, "hash needs exactly one directory%s", "");
	return hashdir(dir, layout);
}

int
hashdir(const char *dir, enum layout layout)
{
	struct buf out = {0};
	struct migc_set *set;
	char *path;
	int rc;

	set = loaddir(dir, DIALECT_NONE, layout, 0);
	if (!set)
		return 2;
	sumwrite(&out, set);
	path = joinpath(dir, SUMFILE);
	rc = writeoutput(path, out.data, out.len);
	if (rc == 0)
		printf("wrote %s (%lu migrations)\n", path, set->count);
	free(path);
	buffree(&out);
	freeset(set);
	return rc ? 1 : 0;
}
