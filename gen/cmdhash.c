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
#include "load.h"
#include "sum.h"
#include "output.h"
#include "command.h"

static const char hashusage[] =
	"usage: migc hash DIR\n"
	"  Write DIR/migc.sum: a manifest of the migrations' checksums that\n"
	"  migc check and migc gen compare the directory with.\n";

int
cmdhash(int argc, char **argv)
{
	struct buf out = {0};
	struct migc_set *set;
	char *path;
	int rc;

	if (argc == 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
		fputs(hashusage, stdout);
		return 0;
	}
	if (argc != 3 || argv[2][0] == '-')
		return usageerror(hashusage, "hash needs exactly one directory%s", "");
	set = loaddir(argv[2], DIALECT_NONE);
	if (!set)
		return 2;
	sumwrite(&out, set);
	path = joinpath(argv[2], SUMFILE);
	rc = writeoutput(path, out.data, out.len);
	if (rc == 0)
		printf("wrote %s (%lu migrations)\n", path, set->count);
	free(path);
	buffree(&out);
	freeset(set);
	return rc ? 1 : 0;
}
