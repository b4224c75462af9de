/*
** main.c: the developer tool, `migc`. Adds gen, new, hash, check, lint and
** import (a file each, gen/command.h) to the command table every embedded binary
** has, and runs the other commands on a migration directory read at run
** time (--dir).
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "migc.h"
#include "scan.h"
#include "layout.h"
#include "load.h"
#include "cli.h"
#include "command.h"

static const struct migc_set *
cliload(const char *dir, const char *dialect, const char *layoutarg)
{
	enum dialect d;
	enum layout layout = LAYOUT_MIGC;

	if (parsedialect(dialect, &d) != 0)
		return NULL;
	if (layoutarg && parselayout(layoutarg, &layout) != 0) {
		fprintf(stderr, "migc: error: --layout: '%s' is not one of " LAYOUT_NAMES "\n", layoutarg);
		return NULL;
	}
	return loaddir(dir, d, layout, 0);
}

static void
clifree(const struct migc_set *set)
{
	freeset((struct migc_set *)set);
}

/* The developer tool's own commands, after the runtime's in the command
** table; each parses its own arguments. */
static const struct cli_command commands[] = {
	{ .name = "new", .usage = "NAME [--timestamp]", .help = "create the next numbered migration file in --dir",
	  .xMain = cmdnew, .text = newusage },
	{ .name = "gen", .usage = "...", .help = "generate C from a migration directory (migc gen --help)",
	  .xMain = cmdgen, .text = genusage },
	{ .name = "hash", .usage = "[--layout L] DIR", .help = "write DIR/migc.sum, the manifest CI checks",
	  .xMain = cmdhash, .text = hashusage },
	{ .name = "check", .usage = "--dialect D DIR [--against FILE] [--json] [--layout L]",
	  .help = "read DIR as gen does and compare it with its migc.sum (and a released one), no database", .xMain = cmdcheck, .text = checkusage },
	{ .name = "lint", .usage = "--dialect D DIR [--json] [--strict] [--allow RULE[,RULE]]",
	  .help = "report statements that would lock, rewrite or break production (migc lint --help)", .xMain = cmdlint, .text = lintusage },
	{ .name = "import", .usage = "--layout TOOL --dialect D [--no-accept] SRC DEST",
	  .help = "write another tool's migrations in SRC as migc's files in DEST", .xMain = cmdimport, .text = importusage },
};

int
main(int argc, char **argv)
{
	static const struct migc_driver *const drivers[] = { &migc_driver_sqlite, &migc_driver_postgres };
	static const struct cli_tool tool = { cliload, clifree, commands, sizeof(commands) / sizeof(commands[0]),
	                                      drivers, sizeof(drivers) / sizeof(drivers[0]) };

	/* A file-size limit fails a write (EFBIG), of an output or of a
	** diagnostic on a redirected standard error, instead of the signal
	** ending the run half-way (gen/output.c removes its temporary file). */
	signal(SIGXFSZ, SIG_IGN);
	return migc__climain("migc", argc, argv, NULL, 0, &tool);
}
