/*
** main.c: the developer tool, `migc`. Adds `gen`, `new`, `hash` and
** `check` to the command table every embedded binary has, and runs the
** other commands on a migration directory read at run time (--dir).
*/
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "load.h"
#include "names.h"
#include "emit.h"
#include "sum.h"
#include "replay.h"
#include "output.h"
#include "cli.h"
#include "json.h"

static const char hashusage[] =
	"usage: migc hash DIR\n"
	"  Write DIR/migc.sum: a manifest of the migrations' checksums that\n"
	"  migc check and migc gen compare the directory with.\n";

static const char checkusage[] =
	"usage: migc check DIR [--against FILE] [--json]\n"
	"  Compare DIR with DIR/migc.sum (and with FILE, a released manifest, e.g.\n"
	"  from git show TAG:migrations/migc.sum): no database needed.\n"
	"exit status: 0 ok, 2 bad input, 3 a migration was edited, removed, renamed,\n"
	"renumbered, added below the highest listed version, or is not in migc.sum\n";

static const char genusage[] =
	"usage: migc gen --dialect sqlite|postgres [--name SYMBOL] [--main] [-o FILE] [--depfile FILE] [--no-sum] DIR\n"
	"  Compile the migrations in DIR into one C file defining\n"
	"  const struct migc_set SYMBOL (default migc_migrations).\n"
	"  --main       also define main() running the migrate command line\n"
	"  -o FILE      write FILE (only when its content changes; - is stdout, the default)\n"
	"  --depfile F  write a make-style depfile listing every file read (needs -o)\n"
	"  --no-sum     generate even when DIR/migc.sum does not match\n"
	"  --no-replay  do not run the migrations on an in-memory SQLite database first\n"
	"  --replay-database URL  PostgreSQL: run them first on a scratch database made\n"
	"               through URL (created and dropped), to embed schema fingerprints\n"
	"exit status: 0 ok, 2 bad input (each error names file:line:col), 3 DIR does not match DIR/migc.sum\n";

static const char newusage[] =
	"usage: migc new NAME [--dir DIR] [--timestamp] [--no-down]\n"
	"  Create DIR/NNNN_NAME.sql and DIR/NNNN_NAME.down.sql, numbered after the\n"
	"  newest migration (--timestamp: numbered YYYYMMDDHHMMSS, UTC).\n";

static int
parsedialect(const char *s, enum dialect *d)
{
	if (strcmp(s, "sqlite") == 0)
		*d = DIALECT_SQLITE;
	else if (strcmp(s, "postgres") == 0)
		*d = DIALECT_POSTGRES;
	else
		return -1;
	return 0;
}

static int
usageerror(const char *usage, const char *fmt, const char *arg)
{
	fputs("migc: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return 2;
}

/* Load dir, printing its diagnostics; NULL on error. The set names its
** driver here, not in load.c, which knows nothing of the runtime. */
static struct migc_set *
load(const char *dir, enum dialect dialect)
{
	struct diags d = {{0}, 0, 0};
	struct migc_set *set = loadset(dir, dialect, &d);

	if (d.text.len)
		fputs(d.text.data, stderr);
	buffree(&d.text);
	if (set)
		set->driver = dialect == DIALECT_SQLITE ? &migc_driver_sqlite
		            : dialect == DIALECT_POSTGRES ? &migc_driver_postgres : NULL;
	return set;
}

static const struct migc_set *
cliload(const char *dir, const char *dialect)
{
	enum dialect d;

	if (parsedialect(dialect, &d) != 0)
		return NULL;
	return load(dir, d);
}

static void
clifree(const struct migc_set *set)
{
	freeset((struct migc_set *)set);
}

static void
printproblems(const struct sumproblems *p, int json)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct sumproblem *x = &p->v[i];

		if (!json) {
			fprintf(strcmp(x->kind, "accepted") == 0 ? stdout : stderr, "migc: %s: %s\n",
			        strcmp(x->kind, "accepted") == 0 ? "note" : "error", x->text);
			continue;
		}
		printf("%s{\"version\":%lld,\"file\":", i ? "," : "", (long long)x->version);
		migc__jsonstr(stdout, x->file);
		fputs(",\"problem\":", stdout);
		migc__jsonstr(stdout, x->kind);
		fputs(",\"message\":", stdout);
		migc__jsonstr(stdout, x->text);
		putchar('}');
	}
}

/* Compare set with manifest file path (strict for DIR's own migc.sum).
** Returns 0, 1 when path does not exist, or -1 after an I/O error. */
static int
comparesum(const struct migc_set *set, const char *path, int strict, struct sumproblems *p)
{
	char *text;
	size_t len;

	if (readfile(path, &text, &len) != 0)
		return errno == ENOENT ? 1 : -1;
	sumcheck(set, path, text, len, strict, p);
	free(text);
	return 0;
}

static void
putdeppath(struct buf *b, const char *dir, const char *file)
{
	char *path = joinpath(dir, file);
	const char *p;

	bufputs(b, " \\\n  ");
	for (p = path; *p; p++) {
		if (*p == ' ' || *p == '#' || *p == '\\')
			bufputc(b, '\\');
		else if (*p == '$')
			bufputc(b, '$');
		bufputc(b, *p);
	}
	free(path);
}

static int
cmdgen(int argc, char **argv)
{
	const char *dialectarg = NULL, *symbol = "migc_migrations", *out = NULL, *depfile = NULL, *dir = NULL;
	const char *replayurl = NULL;
	struct buf c = {0}, dep = {0};
	struct sumproblems sp = {NULL, 0, 0};
	struct migc_set *set;
	enum dialect dialect;
	int withmain = 0, nosum = 0, noreplay = 0, hassum, rc, i;
	char *spath;
	unsigned long k;

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
	if (parsedialect(dialectarg, &dialect) != 0)
		return usageerror(genusage, "--dialect: '%s' is not sqlite or postgres", dialectarg);
	if (!iscident(symbol))
		return usageerror(genusage, "--name: '%s' is not a usable C identifier (at most 63 bytes, not main, not migc__*)", symbol);
	if (!dir)
		return usageerror(genusage, "no migration directory given%s", "");
	if (depfile && (!out || strcmp(out, "-") == 0))
		return usageerror(genusage, "--depfile needs -o FILE (a depfile names its target)%s", "");
	set = load(dir, dialect);
	if (!set)
		return 2;
	spath = joinpath(dir, SUMFILE);
	hassum = !nosum && comparesum(set, spath, 1, &sp) == 0;
	if (hassum && sp.nfail) {
		printproblems(&sp, 0);
		fprintf(stderr, "migc: %s does not match the migrations: nothing generated (--no-sum to generate anyway)\n", spath);
		free(spath);
		free(sp.v);
		freeset(set);
		return 3;
	}
	free(sp.v);
	if (!noreplay && replay(set, dir, replayurl) != 0) {
		free(spath);
		freeset(set);
		return 2;
	}
	emitset(&c, set, symbol, withmain);
	rc = writeoutput(out ? out : "-", c.data, c.len);
	if (rc == 0 && depfile) {
		bufputs(&dep, out);
		bufputc(&dep, ':');
		for (k = 0; k < set->count; k++) {
			putdeppath(&dep, dir, set->migrations[k].up.file);
			if (set->migrations[k].down.file)
				putdeppath(&dep, dir, set->migrations[k].down.file);
		}
		if (hassum)
			putdeppath(&dep, dir, SUMFILE);
		bufputc(&dep, '\n');
		rc = writeoutput(depfile, dep.data, dep.len);
	}
	buffree(&c);
	buffree(&dep);
	free(spath);
	freeset(set);
	return rc ? 1 : 0;
}

static int
createfile(const char *path, const char *text)
{
	FILE *f = fopen(path, "wx");

	if (!f) {
		fprintf(stderr, "migc: error: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "migc: error: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("created %s\n", path);
	return 0;
}

static int
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
	set = load(argv[2], DIALECT_NONE);
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

static int
cmdcheck(int argc, char **argv)
{
	const char *dir = NULL, *against = NULL;
	struct sumproblems sp = {NULL, 0, 0};
	struct migc_set *set;
	int json = 0, i, rc;
	char *path;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(checkusage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--against") == 0 && i + 1 < argc) {
			against = argv[++i];
		} else if (argv[i][0] == '-') {
			return usageerror(checkusage, "unknown option '%s'", argv[i]);
		} else if (dir) {
			return usageerror(checkusage, "unexpected argument '%s'", argv[i]);
		} else {
			dir = argv[i];
		}
	}
	if (!dir)
		return usageerror(checkusage, "check needs a directory%s", "");
	set = load(dir, DIALECT_NONE);
	if (!set)
		return 2;
	path = joinpath(dir, SUMFILE);
	rc = comparesum(set, path, 1, &sp);
	if (rc != 0)
		fprintf(stderr, "migc: error: %s: %s\n", path, rc > 0 ? "no such file: run migc hash first" : strerror(errno));
	if (rc == 0 && against && (rc = comparesum(set, against, 0, &sp)) != 0)
		fprintf(stderr, "migc: error: --against %s: %s\n", against, rc > 0 ? "no such file" : strerror(errno));
	if (rc == 0 && json) {
		printf("{\"ok\":%s,\"migrations\":%lu,\"problems\":[", sp.nfail ? "false" : "true", set->count);
		printproblems(&sp, 1);
		fputs("]}\n", stdout);
	} else if (rc == 0) {
		printproblems(&sp, 0);
		if (!sp.nfail)
			printf("ok: %lu migrations match %s%s%s\n", set->count, path, against ? " and " : "", against ? against : "");
	}
	free(path);
	free(sp.v);
	freeset(set);
	return rc < 0 ? 2 : rc > 0 ? 3 : sp.nfail ? 3 : 0;
}

/* The newest version in dir (0 when none) and the digits its name uses
** (at least 4). Returns 0, or -1 after printing why. */
static int
newest(const char *dir, int64_t *version, int *width)
{
	struct dirent *de;
	DIR *dp = opendir(dir);

	*version = 0;
	*width = 4;
	if (!dp) {
		fprintf(stderr, "migc: error: %s: cannot open migration directory: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		const char *name, *why;
		size_t namelen;
		int isdown;
		int64_t v;

		if (de->d_name[0] != '.' && parsefilename(de->d_name, &v, &name, &namelen, &isdown, &why) == 0 && v > *version) {
			*version = v;
			*width = (int)(strchr(de->d_name, '_') - de->d_name);
		}
	}
	closedir(dp);
	return 0;
}

static int
cmdnew(int argc, char **argv)
{
	const char *dir = "migrations", *name = NULL, *p, *why;
	int timestamp = 0, nodown = 0, width = 4, i;
	int64_t version, last, v;
	char file[512], path[1024], body[600];
	size_t namelen;
	int isdown;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(newusage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--timestamp") == 0) {
			timestamp = 1;
		} else if (strcmp(argv[i], "--no-down") == 0) {
			nodown = 1;
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (argv[i][0] == '-') {
			return usageerror(newusage, "unknown option '%s'", argv[i]);
		} else if (name) {
			return usageerror(newusage, "unexpected argument '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (!name)
		return usageerror(newusage, "new needs a NAME%s", "");
	snprintf(file, sizeof(file), "1_%s.sql", name);
	if (strlen(name) > 200 || parsefilename(file, &v, &p, &namelen, &isdown, &why) != 0 || isdown)
		return usageerror(newusage, "invalid migration name '%s': use letters, digits, '_', '-' and '.'", name);
	if (newest(dir, &last, &width) != 0)
		return 2;
	if (last == INT64_MAX) {
		fprintf(stderr, "migc: error: no version is left after %lld\n", (long long)last);
		return 2;
	}
	version = last + 1;
	if (timestamp) {
		time_t now = time(NULL);
		struct tm tm;
		char ts[32];

		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y%m%d%H%M%S", &tm);
		v = strtoll(ts, NULL, 10);
		if (v < version) {
			fprintf(stderr, "migc: error: the timestamp %s is not newer than version %lld\n", ts, (long long)(version - 1));
			return 2;
		}
		version = v;
		width = 0;
	}
	snprintf(file, sizeof(file), "%0*lld_%s", width, (long long)version, name);
	snprintf(path, sizeof(path), "%s/%s.sql", dir, file);
	snprintf(body, sizeof(body), "-- %s: describe what this migration does.\n", file);
	if (createfile(path, body) != 0)
		return 1;
	if (!nodown) {
		snprintf(path, sizeof(path), "%s/%s.down.sql", dir, file);
		snprintf(body, sizeof(body), "-- Revert %s.\n", file);
		if (createfile(path, body) != 0)
			return 1;
	}
	return 0;
}

/* The developer tool's own commands, after the runtime's in the command
** table; each parses its own arguments. */
static const struct cli_command commands[] = {
	{ .name = "new", .usage = "NAME [--timestamp]", .help = "create the next numbered migration file in --dir",
	  .xMain = cmdnew },
	{ .name = "gen", .usage = "...", .help = "generate C from a migration directory (migc gen --help)",
	  .xMain = cmdgen },
	{ .name = "hash", .usage = "DIR", .help = "write DIR/migc.sum, the manifest CI checks",
	  .xMain = cmdhash },
	{ .name = "check", .usage = "DIR [--against FILE] [--json]",
	  .help = "compare DIR with its migc.sum (and a released one), no database", .xMain = cmdcheck },
};

int
main(int argc, char **argv)
{
	static const struct cli_tool tool = { cliload, clifree, commands, sizeof(commands) / sizeof(commands[0]) };

	return migc__climain("migc", argc, argv, NULL, 0, &tool);
}
