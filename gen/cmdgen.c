/*
** cmdgen.c: `migc gen`, the compiler: read a migration directory, check
** it against its migc.sum, replay it on a scratch database, and write it
** as one C file (gen/emit.c) and, when asked, a depfile (gen/depfile.c).
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
#include "emit.h"
#include "sum.h"
#include "replay.h"
#include "output.h"
#include "depfile.h"
#include "command.h"

const char genusage[] =
	"usage: migc gen --dialect sqlite|postgres [--layout L] [--name SYMBOL] [--main] [-o FILE]\n"
	"                [--depfile FILE] [--no-sum] [--no-replay] [--replay-database URL] [--strict]\n"
	"                [--allow RULE[,RULE]] DIR\n"
	"  Compile the migrations in DIR into one C file defining\n"
	"  const struct migc_set SYMBOL (default migc_migrations).\n"
	"  --layout L   the files' layout: migc (NNNN_name.sql, NNNN_name.down.sql; the default)\n"
	"               or goose, dbmate, sql-migrate (NNNN_name.sql holding that tool's up and\n"
	"               down sections), golang-migrate, sqlx (NNNN_name.up.sql and .down.sql;\n"
	"               sqlx's NNNN_name.sql too), flyway, flyway-dotted, refinery (V<n>__name.sql,\n"
	"               U<n>__name.sql), each read as the tool reads it\n"
	"  --dir DIR    the same as the DIR operand\n"
	"  --main       also define main() running the migrate command line\n"
	"  -o FILE      write FILE (only when its content changes; - is stdout, the default)\n"
	"  --depfile F  write a make-style depfile listing every file read (needs -o)\n"
	"  --no-sum     generate even when DIR/migc.sum does not match\n"
	"  --no-replay  do not run the migrations on a temporary SQLite database first\n"
	"               (nor each down after its up, to check that it restores the schema)\n"
	"  --strict     make every warning an error (exit 2)\n"
	"  --allow R,R  accept these lint rules in every file (migc lint --help lists them)\n"
	"  --replay-database URL  PostgreSQL: run them first on a scratch database made\n"
	"               through URL (created and dropped), to embed schema fingerprints\n"
	"exit status: 0 ok, 1 the output or the depfile could not be written (nothing is\n"
	"             replaced then), 2 bad input (each error names file:line:col) or a\n"
	"             problem the replay found, 3 DIR does not match DIR/migc.sum\n";

int
cmdgen(int argc, char **argv)
{
	const char *dialectarg = NULL, *symbol = "migc_migrations", *out = NULL, *depfile = NULL, *dir = NULL;
	const char *replayurl = NULL, *layoutarg = NULL, *allowarg = NULL;
	unsigned long allow = 0;
	enum layout layout = LAYOUT_MIGC;
	struct buf dep = {0};
	struct output *o;
	struct sumproblems sp = {NULL, 0, 0};
	struct migc_set *set;
	enum dialect dialect;
	int withmain = 0, nosum = 0, noreplay = 0, strict = 0, hassum, rc, i;
	char *spath;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(genusage, stdout);
			return 0;
		} else if (strcmp(a, "--main") == 0) {
			withmain = 1;
			continue;
		} else if (strcmp(a, "--no-sum") == 0) {
			nosum = 1;
			continue;
		} else if (strcmp(a, "--no-replay") == 0) {
			noreplay = 1;
			continue;
		} else if (strcmp(a, "--strict") == 0) {
			strict = 1;
			continue;
		} else if (strcmp(a, "--dialect") == 0) {
			slot = &dialectarg;
		} else if (strcmp(a, "--name") == 0) {
			slot = &symbol;
		} else if (strcmp(a, "-o") == 0) {
			slot = &out;
		} else if (strcmp(a, "--depfile") == 0) {
			slot = &depfile;
		} else if (strcmp(a, "--replay-database") == 0) {
			slot = &replayurl;
		} else if (strcmp(a, "--layout") == 0) {
			slot = &layoutarg;
		} else if (strcmp(a, "--allow") == 0) {
			slot = &allowarg;
		} else if (strcmp(a, "--dir") == 0 && i + 1 < argc) {
			if ((rc = diroption(genusage, argv[++i], &dir)) != 0)
				return rc;
			continue;
		} else if (a[0] == '-' && a[1]) {
			return usageerror(genusage, "unknown option '%s'", a);
		} else if (dir) {
			return usageerror(genusage, "unexpected argument '%s'", a);
		} else {
			dir = a;
			continue;
		}
		if (i + 1 >= argc)
			return usageerror(genusage, "option %s needs a value", a);
		*slot = argv[++i];
	}
	if (!dialectarg)
		return usageerror(genusage, "--dialect is required%s", "");
	if ((rc = dialectoption(genusage, dialectarg, &dialect)) != 0)
		return rc;
	if (layoutarg && (rc = layoutoption(genusage, layoutarg, &layout)) != 0)
		return rc;
	if (allowarg && (rc = allowoption(genusage, allowarg, &allow)) != 0)
		return rc;
	if (!iscident(symbol))
		return usageerror(genusage, "--name: '%s' is not a usable C identifier (at most 63 bytes, not main, not migc__*)", symbol);
	if (!dir)
		return usageerror(genusage, "no migration directory given%s", "");
	if (depfile && (!out || strcmp(out, "-") == 0))
		return usageerror(genusage, "--depfile needs -o FILE (a depfile names its target)%s", "");
	set = loaddir(dir, dialect, layout, strict);
	if (!set)
		return 2;
	spath = joinpath(dir, SUMFILE);
	hassum = !nosum && sumcheckfile(set, spath, 1, &sp) == 0;
	if (hassum && sp.nfail) {
		printsumproblems(&sp, 0);
		fprintf(stderr, "migc: %s does not match the migrations: nothing generated (--no-sum to generate anyway)\n", spath);
		free(spath);
		free(sp.v);
		freeset(set);
		return 3;
	}
	free(sp.v);
	if (lintset(set, dir, dialect, allow, strict) != 0 || (!noreplay && replay(set, dir, replayurl, strict) != 0)) {
		free(spath);
		freeset(set);
		return 2;
	}
	if ((o = outputopen(out ? out : "-")) != NULL) {
		emitset(o, set, symbol, withmain);
		rc = outputclose(o);
	} else {
		rc = -1;
	}
	if (rc == 0 && depfile) {
		putdepfile(&dep, out, dir, set, hassum ? SUMFILE : NULL);
		rc = writeoutput(depfile, dep.data, dep.len);
	}
	buffree(&dep);
	free(spath);
	freeset(set);
	return rc ? 1 : 0;
}
