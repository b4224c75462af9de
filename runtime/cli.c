/*
** cli.c: the command line shared by `migc` and every embedded binary:
** one table of commands and the options each takes, argument parsing,
** dispatch and exit codes. What the commands print is in cliout.c; the
** library under them never prints.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "migc.h"
#include "url.h"
#include "text.h"
#include "cli.h"
#include "cliout.h"
#include "version.h"
#include "duration.h"
#include "stops.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_VERIFY = 3 };

/* The options, in the order the help lists them (cli.h). A DRIFT entry
** comes before the TEXT entry of the same name, which it leaves the
** --schema NAME form to. */
const struct cli_optiondef migc__clioptions[] = {
	{ "--to",                 CLI_TO,                 CLI_KVERSION, 0, "--to is for up and down only", 0, "V",
	  "up: apply up to version V; down: revert every\nmigration newer than V (0: all)" },
	{ "--dry-run",            CLI_DRY_RUN,            CLI_KFLAG,    0, "--dry-run is for up and adopt only", 0, NULL,
	  "print what would run or be recorded, and change\nnothing" },
	{ "--single-transaction", CLI_SINGLE_TRANSACTION, CLI_KFLAG,    CLI_BIT(CLI_DRY_RUN),
	  "--single-transaction is for up only", 0, NULL, "apply all pending migrations in one transaction" },
	{ "--resume",             CLI_RESUME,             CLI_KFLAG,    CLI_BIT(CLI_DRY_RUN) | CLI_BIT(CLI_SINGLE_TRANSACTION),
	  "--resume is for up only, without --dry-run or --single-transaction", 0, NULL,
	  "go on with a no-transaction migration that\nstopped, after its last finished statement" },
	{ "--drift",              CLI_DRIFT,              CLI_KFLAG,    0,
	  "--drift is for verify and status (the drift check)", 0, NULL,
	  "also compare the live schema with the one recorded\nwhen the newest migration ran (--schema without a\n"
	  "name is the same)" },
	{ "--schema",             CLI_DRIFT,              CLI_KDRIFT,   0,
	  "--schema without a name is for verify and status (the drift check)", 0, NULL, NULL },
	{ "--clear-failed",       CLI_CLEAR_FAILED,       CLI_KVERSION, 0,
	  "--clear-failed and --accept-checksums are for repair only", 0, "V",
	  "delete the record of failed migration V, after\nfixing the database by hand" },
	{ "--accept-checksums",   CLI_ACCEPT_CHECKSUMS,   CLI_KFLAG,    0,
	  "--clear-failed and --accept-checksums are for repair only", 0, NULL,
	  "record the checksums of applied migrations\nedited on purpose" },
	{ "--from",               CLI_FROM,               CLI_KTEXT,    0, "--from and --from-table are for adopt only", 0, "TOOL",
	  "goose, dbmate, golang-migrate, sqlx, sql-migrate,\nflyway or refinery" },
	{ "--from-table",         CLI_FROM_TABLE,         CLI_KTEXT,    0, "--from and --from-table are for adopt only", 0, "NAME",
	  "that tool's tracking table, when not its default" },
	{ "--json",               CLI_JSON,               CLI_KFLAG,    0, "--json is for status, verify and list", 0, NULL,
	  "machine-readable output" },
	{ "--database",           CLI_DATABASE,           CLI_KTEXT,    0, NULL, CLI_FORDB, "URL",
	  "sqlite:PATH, sqlite::memory:, postgres://... or a\nlibpq keyword string (default: $DATABASE_URL)" },
	{ "--table",              CLI_TABLE,              CLI_KTEXT,    0, NULL, CLI_FORDB, "NAME",
	  "tracking table (default migc_migrations)" },
	{ "--schema",             CLI_SCHEMA,             CLI_KTEXT,    0, NULL, CLI_FORDB, "NAME",
	  "PostgreSQL: the tracking table's schema (default:\nfirst on search_path; also --tracking-schema NAME)" },
	{ "--tracking-schema",    CLI_SCHEMA,             CLI_KTEXT,    0, NULL, CLI_FORDB, "NAME", NULL },
	{ "--create-schema",      CLI_CREATE_SCHEMA,      CLI_KFLAG,    0, NULL, CLI_FOR(CLI_WRITE), NULL,
	  "PostgreSQL: make the --schema NAME when it does\nnot exist" },
	{ "--ignore-table",       CLI_IGNORE_TABLE,       CLI_KTEXT,    0, NULL, CLI_FORDB, "LIST",
	  "tables the schema check leaves out, and up does\nnot take for another tool's tracking table\n"
	  "(comma-separated, * and ? as wildcards)" },
	{ "--allow-out-of-order", CLI_ALLOW_OUT_OF_ORDER, CLI_KFLAG,    0, NULL, CLI_FORDB, NULL,
	  "apply pending migrations older than the newest\napplied one" },
	{ "--lock-timeout",       CLI_LOCK_TIMEOUT,       CLI_KSECONDS, 0, NULL, CLI_FOR(CLI_WRITE), "SECS",
	  "wait this long for another migrator (default 60)" },
	{ "--ddl-lock-timeout",   CLI_DDL_LOCK_TIMEOUT,   CLI_KDURATION, 0, NULL, CLI_FOR(CLI_WRITE), "T",
	  "PostgreSQL: a migration's statement waits at\nmost T (500ms, 2s, 1min) for a lock, then the\n"
	  "migration is rolled back and tried again" },
	{ "--ddl-retries",        CLI_DDL_RETRIES,        CLI_KCOUNT,   0, NULL, CLI_FOR(CLI_WRITE), "N",
	  "that many times (0 to 1000; default 5 with\n--ddl-lock-timeout)" },
	{ "--statement-timeout",  CLI_STATEMENT_TIMEOUT,  CLI_KDURATION, 0, NULL, CLI_FOR(CLI_WRITE), "T",
	  "PostgreSQL: a migration's statement runs at most T" },
	{ "--dir",                CLI_DIR,                CLI_KTEXT,    0, NULL, CLI_FORALL | CLI_FORTOOL, "DIR",
	  "migration directory (default migrations)" },
	{ "--layout",             CLI_LAYOUT,             CLI_KTEXT,    0, NULL, CLI_FORALL | CLI_FORTOOL, "L",
	  "its files' layout: migc (the default), goose,\ndbmate, sql-migrate, golang-migrate, sqlx, flyway\n"
	  "or refinery" },
	{ "--dialect",            CLI_DIALECT,            CLI_KTEXT,    0, NULL, CLI_FORALL, "D",
	  "sqlite or postgres, when no --database says which" },
};
const size_t migc__ncliopts = sizeof(migc__clioptions) / sizeof(migc__clioptions[0]);
static int cmdup(struct cli_run *r);
static int cmddown(struct cli_run *r);
static int cmdredo(struct cli_run *r);
static int cmdbaseline(struct cli_run *r);
static int cmdrepair(struct cli_run *r);
static int cmdadopt(struct cli_run *r);
static int cmdversion(struct cli_run *r);

/* The commands every binary has; the developer tool adds its own (cli_tool). */
const struct cli_command migc__clicommands[] = {
	{ "status", "[--json] [--drift]", "show applied and pending migrations",
	  CLI_READ, migc__clistatus, CLI_BIT(CLI_DRIFT) | CLI_BIT(CLI_JSON), 0, NULL, NULL, NULL },
	{ "up", "[--to V] [--dry-run] [--single-transaction] [--resume]", "apply pending migrations (up to version V)",
	  CLI_WRITE, cmdup, CLI_BIT(CLI_TO) | CLI_BIT(CLI_DRY_RUN) | CLI_BIT(CLI_SINGLE_TRANSACTION) | CLI_BIT(CLI_RESUME),
	  0, NULL, NULL, NULL },
	{ "down", "[--to V]", "revert the newest migration, or all newer than V (0: all)",
	  CLI_WRITE, cmddown, CLI_BIT(CLI_TO), 0, NULL, NULL, NULL },
	{ "redo", "", "revert the newest migration and apply it again",
	  CLI_WRITE, cmdredo, 0, 0, NULL, NULL, NULL },
	{ "verify", "[--json] [--drift]", "check applied migrations against this binary, and the schema (exit 3 on a problem)",
	  CLI_READ, migc__cliverify, CLI_BIT(CLI_DRIFT) | CLI_BIT(CLI_JSON), 0, NULL, NULL, NULL },
	{ "list", "[--json]", "list the embedded migrations (no database needed)",
	  CLI_NODB, migc__clilist, CLI_BIT(CLI_JSON), 0, NULL, NULL, NULL },
	{ "show", "V", "print migration V's SQL, up and down",
	  CLI_NODB, migc__clishow, CLI_BIT(CLI_OPERAND), CLI_BIT(CLI_OPERAND), "show needs a version, e.g. show 3", NULL, NULL },
	{ "baseline", "V", "record 1..V as applied without running them",
	  CLI_WRITE, cmdbaseline, CLI_BIT(CLI_OPERAND), CLI_BIT(CLI_OPERAND), "baseline needs a version, e.g. baseline 3",
	  NULL, NULL },
	{ "adopt", "--from TOOL [--from-table NAME] [--dry-run]",
	  "record what goose, dbmate, golang-migrate, sqlx, sql-migrate, Flyway or refinery applied here, running nothing",
	  CLI_WRITE, cmdadopt, CLI_BIT(CLI_FROM) | CLI_BIT(CLI_FROM_TABLE) | CLI_BIT(CLI_DRY_RUN), CLI_BIT(CLI_FROM),
	  "adopt needs --from TOOL: goose, dbmate, golang-migrate, sqlx, sql-migrate, flyway or refinery", NULL, NULL },
	{ "repair", "--clear-failed V | --accept-checksums", "fix the tracking table after a manual fix or a deliberate edit",
	  CLI_WRITE, cmdrepair, CLI_BIT(CLI_CLEAR_FAILED) | CLI_BIT(CLI_ACCEPT_CHECKSUMS),
	  CLI_BIT(CLI_CLEAR_FAILED) | CLI_BIT(CLI_ACCEPT_CHECKSUMS),
	  "repair needs exactly one of --clear-failed V and --accept-checksums: it changes nothing without", NULL, NULL },
	{ "version", "", "print the versions of migc, its layouts and the database libraries (also --version)",
	  CLI_NOSET, cmdversion, 0, 0, NULL, NULL, NULL },
};
const size_t migc__nclicommands = sizeof(migc__clicommands) / sizeof(migc__clicommands[0]);

/* The command named name, among the runtime's and the tool's; NULL: none. */
static const struct cli_command *
findcommand(const char *name, const struct cli_tool *tool)
{
	size_t i;

	for (i = 0; i < migc__nclicommands; i++)
		if (strcmp(migc__clicommands[i].name, name) == 0)
			return &migc__clicommands[i];
	for (i = 0; tool && i < tool->ncommands; i++)
		if (strcmp(tool->commands[i].name, name) == 0)
			return &tool->commands[i];
	return NULL;
}

/* Print a usage error. An argument may be a connection string given in
** the wrong place (an operand, after a misspelt option, another option's
** value), which the message quotes: no password any argument holds is
** printed. */
static int
usageerror(const struct cli_opts *o, const char *fmt, ...)
{
	struct migc__text t = { NULL, 0, 0, 0 };
	va_list ap;
	char *safe;
	int i;

	va_start(ap, fmt);
	migc__textvprintf(&t, fmt, ap);
	va_end(ap);
	for (i = 1; i < o->argc && t.s && !t.nomem; i++) {
		safe = migc__maskpw(t.s, o->argv[i], NULL, 0);
		free(t.s);
		t.s = safe;
	}
	fprintf(stderr, "%s: error: %s (see %s --help)\n", o->prog, t.s && !t.nomem ? t.s : "out of memory", o->prog);
	free(t.s);
	return EXIT_USAGE;
}

/* The option arg names (its name the first n bytes; eq: "=VALUE"
** follows them; next: the argument after it, or NULL), or NULL. */
static const struct cli_optiondef *
findoption(const char *arg, size_t n, int eq, const char *next, int dev)
{
	size_t i;

	for (i = 0; i < migc__ncliopts; i++) {
		const struct cli_optiondef *op = &migc__clioptions[i];

		if (strlen(op->name) != n || strncmp(arg, op->name, n) != 0)
			continue;
		if ((op->kind == CLI_KFLAG && eq) || (op->kind == CLI_KDRIFT && (eq || (next && next[0] != '-'))) ||
		    ((op->id == CLI_DIR || op->id == CLI_LAYOUT) && !dev))
			continue;
		return op;
	}
	return NULL;
}

static int
parseargs(struct cli_opts *o, int argc, char **argv, int dev)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct cli_optiondef *op;

		if (a[0] != '-' || a[1] == '\0') {
			if (!o->cmd) {
				o->cmd = a;
			} else if (!CLI_HAS(o, CLI_OPERAND)) {
				o->given |= CLI_BIT(CLI_OPERAND);
				o->text[CLI_OPERAND] = a;
			} else {
				return usageerror(o, "unexpected argument '%s'", a);
			}
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			continue;
		}
		if (strcmp(a, "--version") == 0 && !o->cmd) {
			o->cmd = "version";
			continue;
		}
		eq = strchr(a, '=');
		op = findoption(a, eq ? (size_t)(eq - a) : strlen(a), eq != NULL, i + 1 < argc ? argv[i + 1] : NULL, dev);
		if (!op)
			return usageerror(o, "unknown option '%s'", a);
		o->given |= CLI_BIT(op->id);
		if (op->kind == CLI_KFLAG || op->kind == CLI_KDRIFT) {
			o->text[op->id] = op->name;   /* which of its names, for a misuse message */
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return usageerror(o, "option %s needs a value", a);
		o->text[op->id] = val;
		if (op->kind == CLI_KVERSION && migc__parseversion(val, &o->number[op->id]) != 0)
			return usageerror(o, "%s: '%s' is not a version", op->name, val);
		if (op->kind == CLI_KSECONDS && (migc__parseversion(val, &o->number[op->id]) != 0 || o->number[op->id] > 86400))
			return usageerror(o, "%s: '%s' is not a number of seconds (0 to 86400)", op->name, val);
		if (op->kind == CLI_KDURATION) {
			long ms;

			if (migc__parseduration(val, strlen(val), &ms) != 0)
				return usageerror(o, "%s: '%s' is not a duration: " MIGC__DURATION_FORMS, op->name, val);
			o->number[op->id] = ms;
		}
		if (op->kind == CLI_KCOUNT && (migc__parseversion(val, &o->number[op->id]) != 0 || o->number[op->id] > 1000))
			return usageerror(o, "%s: '%s' is not a number from 0 to 1000", op->name, val);
	}
	return EXIT_OK;
}

static int
nbits(unsigned x)
{
	int n = 0;

	for (; x; x >>= 1)
		n += x & 1;
	return n;
}

/* Check the options and operand given against what command c takes. */
static int
checkargs(struct cli_opts *o, const struct cli_command *c)
{
	size_t i;

	for (i = 0; i < migc__ncliopts; i++) {
		const struct cli_optiondef *op = &migc__clioptions[i];

		if (!CLI_HAS(o, op->id) || ((op->kind == CLI_KFLAG || op->kind == CLI_KDRIFT) && o->text[op->id] != op->name))
			continue;
		if (op->misuse && (!(c->opts & CLI_BIT(op->id)) || (o->given & op->excludes)))
			return usageerror(o, "%s", op->misuse);
	}
	if (CLI_HAS(o, CLI_OPERAND) && !(c->opts & CLI_BIT(CLI_OPERAND)))
		return usageerror(o, "unexpected argument '%s'", o->text[CLI_OPERAND]);
	if (c->needs && nbits(o->given & c->needs) != 1)
		return usageerror(o, "%s", c->missing);
	if (CLI_HAS(o, CLI_OPERAND) && migc__parseversion(o->text[CLI_OPERAND], &o->number[CLI_OPERAND]) != 0)
		return usageerror(o, "%s: '%s' is not a version", c->name, o->text[CLI_OPERAND]);
	return EXIT_OK;
}

static int
cmdup(struct cli_run *r)
{
	int64_t to = CLI_HAS(r->o, CLI_TO) ? r->o->number[CLI_TO] : MIGC_LATEST;
	int rc;

	if (CLI_HAS(r->o, CLI_DRY_RUN)) {
		rc = migc_up_dry_run(r->m, to);
		if (rc == MIGC_OK && r->last == NULL)
			printf("-- nothing to apply\n");
		return rc;
	}
	rc = migc_up(r->m, to);
	if (rc == MIGC_OK && r->nevents == 0)
		printf("nothing to apply: the database is up to date\n");
	return rc;
}

static int
cmddown(struct cli_run *r)
{
	int to = CLI_HAS(r->o, CLI_TO);
	int rc = to ? migc_down(r->m, 0, r->o->number[CLI_TO]) : migc_down(r->m, 1, 0);

	if (rc == MIGC_OK && r->nevents == 0 && (!to || r->o->number[CLI_TO] == 0))
		printf("nothing to revert: no migration is applied\n");
	else if (rc == MIGC_OK && r->nevents == 0)
		printf("nothing to revert: no migration newer than %lld is applied\n", (long long)r->o->number[CLI_TO]);
	return rc;
}

static int
cmdredo(struct cli_run *r)
{
	return migc_redo(r->m);
}

static int
cmdadopt(struct cli_run *r)
{
	const char *tool = r->o->text[CLI_FROM];
	const char *table = CLI_HAS(r->o, CLI_FROM_TABLE) ? r->o->text[CLI_FROM_TABLE] : NULL;
	int rc;

	if (CLI_HAS(r->o, CLI_DRY_RUN)) {
		rc = migc_adopt_dry_run(r->m, tool, table);
		if (rc == MIGC_OK && r->nevents == 0)
			printf("-- nothing to adopt: %s's table records no applied migration\n", tool);
		return rc;
	}
	rc = migc_adopt(r->m, tool, table);
	if (rc == MIGC_OK && r->nevents == 0)
		printf("nothing to adopt: %s's table records no applied migration\n", tool);
	return rc;
}

static int
cmdbaseline(struct cli_run *r)
{
	return migc_baseline(r->m, r->o->number[CLI_OPERAND]);
}

static int
cmdrepair(struct cli_run *r)
{
	if (CLI_HAS(r->o, CLI_CLEAR_FAILED))
		return migc_repair(r->m, MIGC_REPAIR_CLEAR_FAILED, r->o->number[CLI_CLEAR_FAILED]);
	return migc_repair(r->m, MIGC_REPAIR_ACCEPT_CHECKSUMS, 0);
}

static int
exitcode(int rc)
{
	return rc == MIGC_OK ? EXIT_OK : rc == MIGC_INPUT ? EXIT_USAGE : rc == MIGC_VERIFY ? EXIT_VERIFY : EXIT_RUNTIME;
}

static const char *
urldialect(const char *url)
{
	const char *target;

	switch (migc__urlkind(url, &target)) {
	case URL_SQLITE: return "sqlite";
	case URL_POSTGRES: return "postgres";
	default: return NULL;
	}
}

/*
** SIGINT and SIGTERM (Ctrl-C, a deploy cancelled, a container stopped)
** while a command uses the database: the handler asks migc_interrupt to
** stop it cleanly (the statement cancelled on the server, the migration
** rolled back, the lock released); once the command has returned and the
** handle is closed, migc dies of the signal (exit status 130 or 143). A
** second signal kills at once (a server that stopped answering), as does
** one while migc connects, before the handler is in place. A signal
** ignored when migc started (a background job's SIGINT) stays so.
*/
static const int stopsigs[] = { SIGINT, SIGTERM };
#define NSTOPSIGS (sizeof(stopsigs) / sizeof(stopsigs[0]))
static struct sigaction stopold[NSTOPSIGS];
static migc *volatile stopping;
static volatile sig_atomic_t stopsig;

static void
onstop(int sig)
{
	if (stopsig) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	stopsig = sig;
	if (stopping)
		migc_interrupt(stopping);
}

/* m is the handle a signal stops from now on (NULL: none). */
static void
stopswith(migc *m)
{
	stopping = m;
	if (m && stopsig)
		migc_interrupt(m);
}

static const char *
signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* --database, else $DATABASE_URL; NULL when neither is given. */
static const char *
givenurl(const struct cli_opts *o)
{
	const char *url = o->text[CLI_DATABASE] ? o->text[CLI_DATABASE] : getenv("DATABASE_URL");

	return url && *url ? url : NULL;
}

/*
** libpq's environment, which psql connects by when no URL is given: 1
** when it names a database (PGHOST, PGHOSTADDR, PGDATABASE or PGSERVICE
** is set: PGPORT or PGUSER alone are defaults many shells carry, not a
** choice of database), the names of the variables set then in out (a
** buffer of n bytes, unless NULL), as "PGHOST, PGPORT, PGDATABASE".
*/
static int
pgenv(char *out, size_t n)
{
	static const char *const vars[] = { "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE" };
	size_t i, len = 0;
	int names = 0;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (!v || !*v)
			continue;
		if (out && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", vars[i]);
		names |= strcmp(vars[i], "PGPORT") != 0 && strcmp(vars[i], "PGUSER") != 0;
	}
	return names;
}

/* Is url a SQLite file that does not exist, in a directory that does
** (where up would make it)? */
static int
absentfile(const char *url)
{
	const char *target;
	char *file, *slash;
	int absent;

	if (migc__urlkind(url, &target) != URL_SQLITE || (file = migc__sqlitefile(target)) == NULL)
		return 0;
	absent = access(file, F_OK) != 0 && errno == ENOENT;
	slash = strrchr(file, '/');
	if (absent && slash == file)
		absent = 1;                     /* "/x.db": in the root */
	else if (absent && slash) {
		*slash = '\0';
		absent = access(file, F_OK) == 0;
	}
	free(file);
	return absent;
}

/* Open the database, set the options on the handle and run command c.
** Returns its MIGC_ result code, negated when the message was printed. */
static int
withdatabase(const struct cli_command *c, struct cli_run *r)
{
	const struct cli_opts *o = r->o;
	const char *url = givenurl(o);
	int readonly = c->db == CLI_READ || CLI_HAS(o, CLI_DRY_RUN);
	char *safeurl, names[128];
	migc *m;
	int rc;

	if (!url && strcmp(migc_dialect(r->set), "postgres") == 0 && pgenv(names, sizeof(names))) {
		/* An empty URI: libpq takes everything from the environment. */
		url = "postgresql://";
		snprintf(r->envnote, sizeof(r->envnote), "postgresql:// (%s from the environment)", names);
	}
	if (strcmp(migc_dialect(r->set), "postgres") != 0) {
		static const struct { enum cli_option id; const char *name; } pgopts[] = {
			{ CLI_DDL_LOCK_TIMEOUT, "--ddl-lock-timeout" }, { CLI_DDL_RETRIES, "--ddl-retries" },
			{ CLI_STATEMENT_TIMEOUT, "--statement-timeout" }, { CLI_CREATE_SCHEMA, "--create-schema" },
		};
		size_t i;

		/* Before the database is opened, which would make the file. */
		for (i = 0; i < sizeof(pgopts) / sizeof(pgopts[0]); i++)
			if (CLI_HAS(o, pgopts[i].id)) {
				usageerror(o, "%s is for PostgreSQL: this set is for SQLite", pgopts[i].name);
				return -MIGC_INPUT;
			}
	}
	if (!url) {
		usageerror(o, "no database: pass --database URL or set DATABASE_URL (for PostgreSQL, PGHOST or "
		           "PGDATABASE, with the other variables psql reads, are enough)");
		return -MIGC_INPUT;
	}
	if (readonly && absentfile(url)) {
		/* As on an empty PostgreSQL database: everything pending, and the
		** file is not made (a read-only command never creates it). */
		char *shown = migc__redacturl(url);

		snprintf(r->envnote, sizeof(r->envnote), "%s (no such file yet: nothing applied)", shown ? shown : "");
		free(shown);
		url = "sqlite::memory:";
	}
	safeurl = r->envnote[0] ? strdup(r->envnote) : migc__redacturl(url);
	rc = migc_open(&m, url, r->set, readonly ? MIGC_READONLY : 0);
	migc__catchstops(stopsigs, NSTOPSIGS, onstop, stopold);
	stopswith(m);
	if (rc == MIGC_OK && CLI_HAS(o, CLI_TABLE))
		rc = migc_set_table(m, o->text[CLI_TABLE]);
	if (rc == MIGC_OK && CLI_HAS(o, CLI_SCHEMA))
		rc = migc_set_schema(m, o->text[CLI_SCHEMA]);
	if (rc == MIGC_OK && CLI_HAS(o, CLI_IGNORE_TABLE))
		rc = migc_set_ignore_tables(m, o->text[CLI_IGNORE_TABLE]);
	if (rc == MIGC_OK) {
		if (CLI_HAS(o, CLI_LOCK_TIMEOUT))
			migc_set_lock_timeout(m, (int)o->number[CLI_LOCK_TIMEOUT]);
		if (CLI_HAS(o, CLI_DDL_LOCK_TIMEOUT))
			rc = migc_set_ddl_lock_timeout(m, (int)o->number[CLI_DDL_LOCK_TIMEOUT]);
		if (rc == MIGC_OK && CLI_HAS(o, CLI_STATEMENT_TIMEOUT))
			rc = migc_set_statement_timeout(m, (int)o->number[CLI_STATEMENT_TIMEOUT]);
		if (rc == MIGC_OK && CLI_HAS(o, CLI_DDL_RETRIES))
			rc = migc_set_ddl_retries(m, (int)o->number[CLI_DDL_RETRIES]);
		if (rc == MIGC_OK && CLI_HAS(o, CLI_CREATE_SCHEMA))
			rc = migc_set_create_schema(m, 1);
		migc_set_allow_out_of_order(m, CLI_HAS(o, CLI_ALLOW_OUT_OF_ORDER));
		migc_set_single_transaction(m, CLI_HAS(o, CLI_SINGLE_TRANSACTION));
		migc_set_resume(m, CLI_HAS(o, CLI_RESUME));
		migc_set_event(m, migc__clievent, r);
		r->m = m;
		r->safeurl = safeurl ? safeurl : "";
		if (rc == MIGC_OK)
			rc = c->xRun(r);
	}
	if (rc > 0) {
		const char *what = stopsig ? signame(stopsig) : rc == MIGC_VERIFY ? "verification failed" : "error";

		fprintf(stderr, "%s: %s: ", o->prog, what);
		migc__cliputmsg(stderr, migc_errmsg(m));
		fputc('\n', stderr);
		if (CLI_HAS(o, CLI_JSON) && !r->jsondone)
			migc__clijsonerror(migc_errmsg(m));
		rc = -rc;
	} else if (stopsig) {
		fprintf(stderr, "%s: %s: it came after the command had finished: nothing was rolled back\n", o->prog,
		        signame(stopsig));
	}
	stopswith(NULL);
	migc_close(m);
	free(safeurl);
	migc__releasestops(stopsigs, NSTOPSIGS, stopold, stopsig);
	return rc;
}

/* migc help [COMMAND | --man]: the help of every command, of one, or the
** man page. */
static int
help(const struct cli_opts *o, const struct cli_tool *tool)
{
	const struct cli_command *c;

	if (o->argc == 2) {
		migc__cliusage(stdout, o->prog, tool);
		return EXIT_OK;
	}
	if (o->argc > 3)
		return usageerror(o, "help takes one command, or --man");
	if (strcmp(o->argv[2], "--man") == 0) {
		migc__climan(stdout, tool);
		return EXIT_OK;
	}
	c = findcommand(o->argv[2], tool);
	if (!c)
		return usageerror(o, "unknown command '%s'", o->argv[2]);
	migc__clihelp(stdout, o->prog, c, tool);
	return EXIT_OK;
}

static int
cmdversion(struct cli_run *r)
{
	migc__cliversion(stdout, r->sets, r->nsets, r->tool);
	return MIGC_OK;
}

/* Run the command o names (parsed, its help not asked for) on the sets
** or, with tool, on the set it loads. Returns the exit status. */
static int
runcommand(struct cli_opts *o, struct cli_run *run, const struct cli_tool *tool)
{
	const struct migc_set *loaded = NULL;
	const struct cli_command *c;
	const char *url, *dialect;
	size_t i;
	int rc;

	if (!o->cmd) {
		migc__cliusage(o->help ? stdout : stderr, o->prog, tool);
		return o->help ? EXIT_OK : EXIT_USAGE;
	}
	c = findcommand(o->cmd, tool);
	if (!c)
		return usageerror(o, "unknown command '%s'", o->cmd);
	if (o->help) {
		migc__clihelp(stdout, o->prog, c, tool);
		return EXIT_OK;
	}
	if (c->xMain)
		return usageerror(o, "%s must come first: the options after it are its own", c->name);
	rc = checkargs(o, c);
	if (rc != EXIT_OK)
		return rc;
	url = givenurl(o);
	dialect = o->text[CLI_DIALECT] ? o->text[CLI_DIALECT] : url ? urldialect(url) :
	          c->db != CLI_NODB && pgenv(NULL, 0) ? "postgres" : NULL;
	if (dialect && strcmp(dialect, "sqlite") != 0 && strcmp(dialect, "postgres") != 0)
		return usageerror(o, "--dialect: '%s' is not sqlite or postgres", dialect);
	if (tool && c->db != CLI_NOSET) {
		loaded = tool->xLoad(o->text[CLI_DIR] ? o->text[CLI_DIR] : "migrations", dialect ? dialect : "sqlite",
		                     o->text[CLI_LAYOUT]);
		if (!loaded)
			return EXIT_USAGE;
		run->set = loaded;
	} else if (dialect) {
		for (i = 0; i < run->nsets && strcmp(migc_dialect(run->sets[i]), dialect) != 0; i++)
			;
		if (i < run->nsets)
			run->set = run->sets[i];
	}
	rc = c->db == CLI_NODB || c->db == CLI_NOSET ? c->xRun(run) : withdatabase(c, run);
	if (loaded)
		tool->xFree(loaded);
	return exitcode(rc < 0 ? -rc : rc);
}

int
migc__climain(const char *prog, int argc, char **argv, const struct migc_set *const *sets,
        size_t nsets, const struct cli_tool *tool)
{
	const struct cli_command *c = argc > 1 ? findcommand(argv[1], tool) : NULL;
	struct cli_run run;
	struct cli_opts o;
	char *bare;
	int rc;

	if (c && c->xMain)
		return c->xMain(argc, argv);
	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	o.prog = prog;
	o.argc = argc;
	o.argv = argv;
	run.o = &o;
	run.set = nsets ? sets[0] : NULL;
	run.sets = sets;
	run.nsets = nsets;
	run.tool = tool;
	if (argc > 1 && strcmp(argv[1], "help") == 0)
		return help(&o, tool);
	rc = parseargs(&o, argc, argv, tool != NULL);
	if (rc != EXIT_OK)
		return rc;
	/* A bare path (--database app.db) is a SQLite file. */
	bare = migc__barepath(givenurl(&o));
	if (bare) {
		o.text[CLI_DATABASE] = bare;
		o.given |= CLI_BIT(CLI_DATABASE);
	}
	rc = runcommand(&o, &run, tool);
	free(bare);
	return rc;
}

int
migc_main_sets(int argc, char **argv, const struct migc_set *const *sets, size_t nsets)
{
	const char *prog = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;

	prog = prog ? prog + 1 : argc > 0 && argv[0] ? argv[0] : "migrate";
	return migc__climain(prog, argc, argv, sets, nsets, NULL);
}

int
migc_main(int argc, char **argv, const struct migc_set *set)
{
	return migc_main_sets(argc, argv, &set, 1);
}
