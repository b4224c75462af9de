/*
** cmdcheck.c: `migc check --dialect D DIR [--against FILE]`, CI's offline
** check: read the directory as gen does (the same scan, directive and
** transaction checks, exit 2 at file:line:col), then compare it with its
** migc.sum, and with a released manifest, naming each migration edited,
** removed, renamed, renumbered, added below the highest listed version
** or not recorded (exit 3).
*/
#include <errno.h>
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
#include "command.h"

const char checkusage[] =
	"usage: migc check --dialect sqlite|postgres DIR [--against FILE] [--json] [--strict]\n"
	"                  [--allow RULE[,RULE]] [--layout " LAYOUT_NAMES "]\n"
	"  Read DIR as migc gen does (its statements, directives and transactions, and\n"
	"  the lint: migc lint --help), then compare it with DIR/migc.sum (and with FILE,\n"
	"  a released manifest, e.g. from git show TAG:migrations/migc.sum): no database.\n"
	"  --dir DIR  the same as the DIR operand\n"
	"  --strict   make every warning an error, as gen --strict does\n"
	"  --allow    accept these lint rules in every file, as gen --allow does\n"
	"exit status: 0 ok, 2 bad input (each error names file:line:col), 3 a migration\n"
	"was edited, removed, renamed, renumbered, added below the highest listed\n"
	"version, or is not in migc.sum\n";

int
cmdcheck(int argc, char **argv)
{
	const char *dir = NULL, *against = NULL;
	struct readopts o = {NULL, NULL, LAYOUT_MIGC, 0, 0};
	struct sumproblems sp = {NULL, 0, 0};
	struct migc_set *set;
	enum dialect dialect;
	int json = 0, i, rc;
	char *path;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(checkusage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if ((rc = readoption(checkusage, argc, argv, &i, &o)) >= 0) {
			if (rc != 0)
				return rc;
		} else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc) {
			against = argv[++i];
		} else if (argv[i][0] == '-') {
			return usageerror(checkusage, "unknown option '%s'", argv[i]);
		} else if ((rc = diroption(checkusage, argv[i], &o.dir)) != 0) {
			return rc;
		}
	}
	dir = o.dir;
	if (!dir)
		return usageerror(checkusage, "check needs a directory%s", "");
	if (!o.dialectarg)
		return usageerror(checkusage, "check needs --dialect sqlite or postgres: it reads the statements as gen does%s", "");
	if ((rc = dialectoption(checkusage, o.dialectarg, &dialect)) != 0)
		return rc;
	set = loaddir(dir, dialect, o.layout, o.strict);
	if (!set)
		return 2;
	if (lintset(set, dir, dialect, o.allow, o.strict) != 0) {
		freeset(set);
		return 2;
	}
	path = joinpath(dir, SUMFILE);
	rc = sumcheckfile(set, path, 1, &sp);
	if (rc != 0)
		fprintf(stderr, "migc: error: %s: %s\n", path, rc > 0 ? "no such file: run migc hash first" : strerror(errno));
	if (rc == 0 && against && (rc = sumcheckfile(set, against, 0, &sp)) != 0)
		fprintf(stderr, "migc: error: --against %s: %s\n", against, rc > 0 ? "no such file" : strerror(errno));
	if (rc == 0 && json) {
		printf("{\"ok\":%s,\"migrations\":%lu,\"problems\":[", sp.nfail ? "false" : "true", set->count);
		printsumproblems(&sp, 1);
		fputs("]}\n", stdout);
	} else if (rc == 0) {
		printsumproblems(&sp, 0);
		if (!sp.nfail)
			printf("ok: %lu migrations match %s%s%s\n", set->count, path, against ? " and " : "", against ? against : "");
	}
	free(path);
	free(sp.v);
	freeset(set);
	return rc < 0 ? 2 : rc > 0 ? 3 : sp.nfail ? 3 : 0;
}
