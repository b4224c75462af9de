/*
** cli.c: the command line shared by `migc` and every embedded binary:
** one table of commands and the options each takes, argument parsing,
** dispatch and exit codes, human and JSON output. The library under it
** never prints; this file is the only one that does.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "url.h"
#include "cli.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_VERIFY = 3 };

/* The command line as parsed: each option given, its value as given, and
** that value as a number for a version or a number of seconds. */
struct opts {
	const char *prog;
	const char *cmd;
	int help;
	unsigned given;                     /* CLI_BIT of each option given */
	const char *text[CLI_NOPTIONS];
	int64_t number[CLI_NOPTIONS];
};
#define CLI_HAS(o, option) (((o)->given & CLI_BIT(option)) != 0)

/* One run of a command. */
struct cli_run {
	const struct opts *o;
	const struct migc_set *set;
	migc *m;                            /* the open database; NULL for CLI_NODB */
	const char *safeurl;                /* its URL without a password */
	const struct migc_migration *last;  /* of the last SQL printed */
	int nevents;                        /* migrations applied, reverted or baselined */
};

/*
** The options. A command takes those whose misuse is NULL and those in
** its opts; any other is refused with the misuse message, as is one given
** with an option it excludes. Misuse is checked in this order. An entry
** of kind DRIFT matches only when no value follows: --schema alone is the
** drift check, --schema NAME the tracking table's schema (the TEXT entry).
*/
enum kind { FLAG, DRIFT, TEXT, VERSION, SECONDS };

static const struct option {
	const char *name;
	enum cli_option id;
	enum kind kind;
	unsigned excludes;
	const char *misuse;
} options[] = {
	{ "--dry-run",            CLI_DRY_RUN,            FLAG,    0, "--dry-run is for up only" },
	{ "--to",                 CLI_TO,                 VERSION, 0, "--to is for up and down only" },
	{ "--schema",             CLI_DRIFT,              DRIFT,   0,
	  "--schema without a name is for verify and status (the drift check)" },
	{ "--single-transaction", CLI_SINGLE_TRANSACTION, FLAG,    CLI_BIT(CLI_DRY_RUN),
	  "--single-transaction is for up only" },
	{ "--resume",             CLI_RESUME,             FLAG,    CLI_BIT(CLI_DRY_RUN) | CLI_BIT(CLI_SINGLE_TRANSACTION),
	  "--resume is for up only, without --dry-run or --single-transaction" },
	{ "--clear-failed",       CLI_CLEAR_FAILED,       VERSION, 0, "--clear-failed and --accept-checksums are for repair only" },
	{ "--accept-checksums",   CLI_ACCEPT_CHECKSUMS,   FLAG,    0, "--clear-failed and --accept-checksums are for repair only" },
	{ "--schema",             CLI_SCHEMA,             TEXT,    0, NULL },
	{ "--tracking-schema",    CLI_SCHEMA,             TEXT,    0, NULL },
	{ "--database",           CLI_DATABASE,           TEXT,    0, NULL },
	{ "--table",              CLI_TABLE,              TEXT,    0, NULL },
	{ "--dialect",            CLI_DIALECT,            TEXT,    0, NULL },
	{ "--dir",                CLI_DIR,                TEXT,    0, NULL },   /* the developer tool's only */
	{ "--lock-timeout",       CLI_LOCK_TIMEOUT,       SECONDS, 0, NULL },
	{ "--allow-out-of-order", CLI_ALLOW_OUT_OF_ORDER, FLAG,    0, NULL },
	{ "--json",               CLI_JSON,               FLAG,    0, NULL },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static int cmdstatus(struct cli_run *r);
static int cmdverify(struct cli_run *r);
static int cmdlist(struct cli_run *r);
static int cmdshow(struct cli_run *r);
static int cmdup(struct cli_run *r);
static int cmddown(struct cli_run *r);
static int cmdredo(struct cli_run *r);
static int cmdbaseline(struct cli_run *r);
static int cmdrepair(struct cli_run *r);

/* The commands every binary has; the developer tool adds its own (cli_tool). */
static const struct cli_command commands[] = {
	{ "status", "[--json] [--schema]", "show applied and pending migrations",
	  CLI_READ, cmdstatus, CLI_BIT(CLI_DRIFT), 0, NULL, NULL },
	{ "up", "[--to V] [--dry-run] [--single-transaction] [--resume]", "apply pending migrations (up to version V)",
	  CLI_WRITE, cmdup, CLI_BIT(CLI_TO) | CLI_BIT(CLI_DRY_RUN) | CLI_BIT(CLI_SINGLE_TRANSACTION) | CLI_BIT(CLI_RESUME),
	  0, NULL, NULL },
	{ "down", "[--to V]", "revert the newest migration, or all newer than V (0: all)",
	  CLI_WRITE, cmddown, CLI_BIT(CLI_TO), 0, NULL, NULL },
	{ "redo", "", "revert the newest migration and apply it again",
	  CLI_WRITE, cmdredo, 0, 0, NULL, NULL },
	{ "verify", "[--json] [--schema]", "check applied migrations against this binary, and the schema (exit 3 on a problem)",
	  CLI_READ, cmdverify, CLI_BIT(CLI_DRIFT), 0, NULL, NULL },
	{ "list", "[--json]", "list the embedded migrations (no database needed)",
	  CLI_NODB, cmdlist, 0, 0, NULL, NULL },
	{ "show", "V", "print migration V's SQL, up and down",
	  CLI_NODB, cmdshow, CLI_BIT(CLI_OPERAND), CLI_BIT(CLI_OPERAND), "show needs a version, e.g. show 3", NULL },
	{ "baseline", "V", "record 1..V as applied without running them",
	  CLI_WRITE, cmdbaseline, CLI_BIT(CLI_OPERAND), CLI_BIT(CLI_OPERAND), "baseline needs a version, e.g. baseline 3", NULL },
	{ "repair", "--clear-failed V | --accept-checksums", "fix the tracking table after a manual fix or a deliberate edit",
	  CLI_WRITE, cmdrepair, CLI_BIT(CLI_CLEAR_FAILED) | CLI_BIT(CLI_ACCEPT_CHECKSUMS),
	  CLI_BIT(CLI_CLEAR_FAILED) | CLI_BIT(CLI_ACCEPT_CHECKSUMS),
	  "repair needs exactly one of --clear-failed V and --accept-checksums: it changes nothing without", NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command named name, among the runtime's and the tool's; NULL: none. */
static const struct cli_command *
findcommand(const char *name, const struct cli_tool *tool)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	for (i = 0; tool && i < tool->ncommands; i++)
		if (strcmp(tool->commands[i].name, name) == 0)
			return &tool->commands[i];
	return NULL;
}

static void
usagelines(FILE *f, const struct cli_command *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "  %s%s%s\n              %s\n", c[i].name, *c[i].usage ? " " : "", c[i].usage, c[i].help);
}

static void
usage(FILE *f, const struct opts *o, const struct cli_tool *tool)
{
	fprintf(f, "usage: %s COMMAND [options]\n\ncommands:\n", o->prog);
	usagelines(f, commands, NCOMMANDS);
	if (tool)
		usagelines(f, tool->commands, tool->ncommands);
	fprintf(f, "\noptions:\n"
	        "  --database URL        sqlite:PATH, sqlite::memory:, postgres://... or a libpq\n"
	        "                        keyword string (default: $DATABASE_URL)\n"
	        "  --table NAME          tracking table (default migc_migrations)\n"
	        "  --schema NAME         PostgreSQL: the tracking table's schema (default: first on search_path;\n"
	        "                        also --tracking-schema NAME)\n"
	        "  --schema              (no NAME) verify, status: also compare the live schema with the one\n"
	        "                        recorded when the newest migration ran\n"
	        "  --single-transaction  up: apply all pending migrations in one transaction\n"
	        "  --lock-timeout SECS   wait this long for another migrator (default 60)\n"
	        "  --allow-out-of-order  apply pending migrations older than the newest applied one\n"
	        "  --json                machine-readable output for status, verify and list\n");
	if (tool)
		fprintf(f, "  --dir DIR             migration directory (default migrations)\n");
	fprintf(f, "  --dialect D           sqlite or postgres, when no --database says which\n");
	fprintf(f, "  -h, --help            show this help\n"
	        "\nexit status: 0 ok, 1 runtime error, 2 usage or bad input, 3 verification failure\n");
}

static int
usageerror(const struct opts *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", o->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", o->prog);
	return EXIT_USAGE;
}

/* A version operand: decimal, 0 .. INT64_MAX. */
static int
parseversion(const char *s, int64_t *v)
{
	int64_t x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		x = x * 10 + (*s - '0');
	}
	*v = x;
	return 0;
}

/* The option arg names (its name the first n bytes; eq: "=VALUE"
** follows them; next: the argument after it, or NULL), or NULL. */
static const struct option *
findoption(const char *arg, size_t n, int eq, const char *next, int dev)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		const struct option *op = &options[i];

		if (strlen(op->name) != n || strncmp(arg, op->name, n) != 0)
			continue;
		if ((op->kind == FLAG && eq) || (op->kind == DRIFT && (eq || (next && next[0] != '-'))) ||
		    (op->id == CLI_DIR && !dev))
			continue;
		return op;
	}
	return NULL;
}

static int
parseargs(struct opts *o, int argc, char **argv, int dev)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct option *op;

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
		eq = strchr(a, '=');
		op = findoption(a, eq ? (size_t)(eq - a) : strlen(a), eq != NULL, i + 1 < argc ? argv[i + 1] : NULL, dev);
		if (!op)
			return usageerror(o, "unknown option '%s'", a);
		o->given |= CLI_BIT(op->id);
		if (op->kind == FLAG || op->kind == DRIFT)
			continue;
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return usageerror(o, "option %s needs a value", a);
		o->text[op->id] = val;
		if (op->kind == VERSION && parseversion(val, &o->number[op->id]) != 0)
			return usageerror(o, "%s: '%s' is not a version", op->name, val);
		if (op->kind == SECONDS && (parseversion(val, &o->number[op->id]) != 0 || o->number[op->id] > 86400))
			return usageerror(o, "%s: '%s' is not a number of seconds (0 to 86400)", op->name, val);
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
checkargs(struct opts *o, const struct cli_command *c)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		const struct option *op = &options[i];

		if (CLI_HAS(o, op->id) && op->misuse && (!(c->opts & CLI_BIT(op->id)) || (o->given & op->excludes)))
			return usageerror(o, "%s", op->misuse);
	}
	if (CLI_HAS(o, CLI_OPERAND) && !(c->opts & CLI_BIT(CLI_OPERAND)))
		return usageerror(o, "unexpected argument '%s'", o->text[CLI_OPERAND]);
	if (c->needs && nbits(o->given & c->needs) != 1)
		return usageerror(o, "%s", c->missing);
	if (CLI_HAS(o, CLI_OPERAND) && parseversion(o->text[CLI_OPERAND], &o->number[CLI_OPERAND]) != 0)
		return usageerror(o, "%s: '%s' is not a version", c->name, o->text[CLI_OPERAND]);
	return EXIT_OK;
}

/*
** The library's messages name its API: migc_set_table, the target version
** of migc_up, migc_repair with MIGC_REPAIR_CLEAR_FAILED. On the command
** line the same hint is a flag. Each phrase the library uses in a hint and
** what the command line says instead; at each place in a message the first
** phrase that matches is taken, so a longer one comes before a shorter one
** it starts with.
*/
static const struct hint {
	const char *api, *cli;
} hints[] = {
	{ "migc_up target version:",                "up --to:" },
	{ "migc_up_dry_run target version:",        "up --to:" },
	{ "migc_down target version:",              "down --to:" },
	{ "run migc_up with migc_set_resume",       "run up --resume" },
	{ "run migc_up",                            "run up" },
	{ "migc_repair with MIGC_REPAIR_CLEAR_FAILED for version ", "repair --clear-failed " },
	{ "migc_repair with MIGC_REPAIR_CLEAR_FAILED", "repair --clear-failed" },
	{ "a single transaction (migc_set_single_transaction) cannot include", "--single-transaction cannot include" },
	{ "set migc_set_allow_out_of_order",        "run with --allow-out-of-order" },
	{ "(migc_set_lock_timeout)",                "(--lock-timeout)" },
	{ "(migc_set_table)",                       "(--table)" },
	{ "set another name with migc_set_table",   "pass --table to use another name" },
	{ "(migc_set_schema)",                      "(--schema)" },
	{ "where a handle without migc_set_schema looks", "where a run without --schema looks" },
	{ "made with migc_set_schema)",             "made with --schema)" },
	{ "call migc_set_schema with the one",      "pass --schema with the one" },
	{ "set one with migc_set_schema",           "pass --schema" },
	{ "call migc_status (or any migc function that reads the database)", "run status (or any migc command)" },
};
#define NHINTS (sizeof(hints) / sizeof(hints[0]))

/* The one hint that names a value: `call migc_set_schema(m, "NAME")`,
** NAME a C string literal, is `pass --schema WORD`, WORD the name as one
** shell word. */
#define SCHEMACALL "call migc_set_schema(m, \""

struct text {
	char *s;
	size_t n, cap;
	int nomem;
};

static void
textadd(struct text *t, const char *s, size_t n)
{
	char *p;

	if (t->nomem)
		return;
	if (t->n + n + 1 > t->cap) {
		t->cap = (t->n + n + 1) * 2;
		p = realloc(t->s, t->cap);
		if (!p) {
			t->nomem = 1;
			return;
		}
		t->s = p;
	}
	memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

/* s as one shell word: as it is when that is safe, else in single quotes. */
static void
shellword(struct text *t, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s)) {
		textadd(t, s, strlen(s));
		return;
	}
	textadd(t, "'", 1);
	for (; *s; s++)
		textadd(t, *s == '\'' ? "'\\''" : s, *s == '\'' ? 4 : 1);
	textadd(t, "'", 1);
}

/* At p, SCHEMACALL and the rest of it: add its command-line form to t and
** return what follows the call; NULL when p holds no whole call. */
static const char *
schemacall(struct text *t, const char *p)
{
	char name[256];
	size_t n = 0;

	if (strncmp(p, SCHEMACALL, strlen(SCHEMACALL)) != 0)
		return NULL;
	for (p += strlen(SCHEMACALL); *p && *p != '"' && n < sizeof(name) - 1; p++)
		name[n++] = *p == '\\' && p[1] ? *++p : *p;
	name[n] = '\0';
	if (p[0] != '"' || p[1] != ')')
		return NULL;
	textadd(t, "pass --schema ", 14);
	shellword(t, name);
	return p + 2;
}

/* msg in the command line's words (malloc'd; NULL when out of memory). */
static char *
climsg(const char *msg)
{
	struct text t = { NULL, 0, 0, 0 };
	const char *p = msg, *next;
	size_t i;

	textadd(&t, "", 0);
	while (*p) {
		if ((next = schemacall(&t, p)) != NULL) {
			p = next;
			continue;
		}
		for (i = 0; i < NHINTS && strncmp(p, hints[i].api, strlen(hints[i].api)) != 0; i++)
			;
		if (i < NHINTS) {
			textadd(&t, hints[i].cli, strlen(hints[i].cli));
			p += strlen(hints[i].api);
		} else {
			textadd(&t, p++, 1);
		}
	}
	if (t.nomem) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

/* Print the library's message msg to f in the command line's words. */
static void
putmsg(FILE *f, const char *msg)
{
	char *t = climsg(msg);

	fputs(t ? t : msg, f);
	free(t);
}

static void
jsonstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* "0003_add_presence" for 0003_add_presence.sql */
static void
printstem(FILE *f, const struct migc_migration *mig)
{
	size_t n = strlen(mig->up.file);

	fprintf(f, "%.*s", (int)(n > 4 ? n - 4 : n), mig->up.file);
}

/* The event callback of a run (ctx, a struct cli_run): a line for each
** migration applied, reverted or baselined, warnings, repairs and the
** SQL of a dry run. */
static void
onevent(void *ctx, const struct migc_event *ev)
{
	struct cli_run *e = ctx;
	const char *verb = NULL;

	switch (ev->kind) {
	case MIGC_EV_APPLIED: verb = "applied"; break;
	case MIGC_EV_REVERTED: verb = "reverted"; break;
	case MIGC_EV_BASELINED: verb = "baselined"; break;
	case MIGC_EV_NOTICE:
		fprintf(stderr, "%s: warning: ", e->o->prog);
		putmsg(stderr, ev->text);
		fputc('\n', stderr);
		return;
	case MIGC_EV_REPAIRED:
		printf("%s\n", ev->text);
		return;
	case MIGC_EV_SQL:
		if (ev->migration != e->last) {
			const unsigned f = ev->migration->up.flags;

			printf("-- %s%s%s\n", ev->migration->up.file,
			       (f & MIGC_NO_TRANSACTION) ? " (no transaction)" : "",
			       (f & MIGC_FOREIGN_KEYS_ON) ? " (foreign keys on)" : "");
			e->last = ev->migration;
		}
		fwrite(ev->text, 1, ev->length, stdout);
		putchar('\n');
		return;
	}
	e->nevents++;
	fputs(verb, stdout);
	putchar(' ');
	printstem(stdout, ev->migration);
	if (ev->kind != MIGC_EV_BASELINED)
		printf(" (%lld ms)", ev->ms);
	putchar('\n');
	fflush(stdout);
}

static const char *
statename(enum migc_state_kind k)
{
	switch (k) {
	case MIGC_PENDING: return "pending";
	case MIGC_APPLIED: return "applied";
	case MIGC_APPLIED_EOL: return "applied-eol";
	case MIGC_EDITED: return "edited";
	case MIGC_FAILED: return "failed";
	case MIGC_UNKNOWN: return "unknown";
	case MIGC_OUT_OF_ORDER: return "out-of-order";
	case MIGC_ACCEPTED: return "accepted";
	case MIGC_RUNNING: return "running";
	}
	return "?";
}

static int
isproblem(const struct migc_state *s, int allow_out_of_order)
{
	return s->kind == MIGC_EDITED || s->kind == MIGC_FAILED || s->kind == MIGC_UNKNOWN ||
	       (s->kind == MIGC_OUT_OF_ORDER && !allow_out_of_order);
}

static void
jsonstate(const struct migc_state *s)
{
	printf("{\"version\":%lld,\"state\":\"%s\",\"name\":", (long long)s->version, statename(s->kind));
	jsonstr(s->migration ? s->migration->name : s->name);
	if (s->migration) {
		fputs(",\"file\":", stdout);
		jsonstr(s->migration->up.file);
		fputs(",\"checksum\":", stdout);
		jsonstr(s->migration->checksum);
	}
	if (s->applied_at) {
		fputs(",\"applied_at\":", stdout);
		jsonstr(s->applied_at);
		printf(",\"execution_ms\":%lld,\"statements_done\":%ld,\"statements_total\":%ld,\"recorded_checksum\":",
		       s->ms, s->statements_done, s->statements_total);
		jsonstr(s->checksum);
	}
	if (s->error) {
		fputs(",\"error\":", stdout);
		jsonstr(s->error);
	}
	putchar('}');
}

static void
counts(const struct migc_state *s, size_t n, size_t *napplied, size_t *npending)
{
	size_t i;

	*napplied = *npending = 0;
	for (i = 0; i < n; i++) {
		if (s[i].kind == MIGC_PENDING || s[i].kind == MIGC_OUT_OF_ORDER)
			++*npending;
		else
			++*napplied;
	}
}

/* The result of the drift check. */
struct drift {
	int rc;                 /* MIGC_OK, MIGC_VERIFY, or an error */
	struct migc_drift *d;
	size_t n;
};

/* Print the drift check: as a JSON member "schema":{...} (after a comma),
** as one summary line, or one line per object. */
static void
printdrift(migc *m, const struct opts *o, int summary, const struct drift *r)
{
	const struct migc_drift *d = r->d;
	size_t i;

	if (CLI_HAS(o, CLI_JSON)) {
		printf(",\"schema\":{\"ok\":%s,\"drift\":[", r->rc == MIGC_OK ? "true" : "false");
		for (i = 0; i < r->n; i++) {
			printf("%s{\"kind\":", i ? "," : "");
			jsonstr(d[i].kind);
			fputs(",\"name\":", stdout);
			jsonstr(d[i].name);
			printf(",\"change\":\"%s\",\"expected\":", d[i].change);
			if (d[i].expected)
				jsonstr(d[i].expected);
			else
				fputs("null", stdout);
			fputs(",\"actual\":", stdout);
			if (d[i].actual)
				jsonstr(d[i].actual);
			else
				fputs("null", stdout);
			putchar('}');
		}
		putchar(']');
		if (r->rc != MIGC_OK && r->n == 0) {
			char *t = climsg(migc_errmsg(m));

			fputs(",\"error\":", stdout);
			jsonstr(t ? t : migc_errmsg(m));
			free(t);
		}
		putchar('}');
	} else if (r->rc == MIGC_OK) {
		printf("schema: matches what the newest migration produced\n");
	} else if (summary) {
		printf("schema: drifted: %lu object%s differ%s (verify --schema lists them)\n", (unsigned long)r->n,
		       r->n == 1 ? "" : "s", r->n == 1 ? "s" : "");
	} else {
		printf("schema drift:\n");
		for (i = 0; i < r->n; i++) {
			printf("  %s %s %s", d[i].change, d[i].kind, d[i].name);
			if (d[i].expected && *d[i].expected)
				printf("\n    was: %s", d[i].expected);
			if (d[i].actual && *d[i].actual)
				printf("\n    now: %s", d[i].actual);
			putchar('\n');
		}
		if (r->n == 0) {
			fputs("  ", stdout);
			putmsg(stdout, migc_errmsg(m));
			putchar('\n');
		}
	}
}

/* An SQL identifier as PostgreSQL would quote it: bare when that is
** safe, else in double quotes, each " doubled. */
static void
printident(const char *s)
{
	const char *p;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s) && (*s < '0' || *s > '9')) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (p = s; *p; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	putchar('"');
}

static int
cmdstatus(struct cli_run *run)
{
	const struct opts *o = run->o;
	const char *table = o->text[CLI_TABLE] ? o->text[CLI_TABLE] : "migc_migrations", *schema;
	const char *safeurl = run->safeurl;
	migc *m = run->m;
	struct drift dr = { MIGC_OK, NULL, 0 };
	struct migc_state *s;
	size_t i, n, napplied, npending;
	int rc;

	rc = migc_status(m, &s, &n);
	if (rc != MIGC_OK)
		return rc;
	schema = migc_tracking_schema(m);
	counts(s, n, &napplied, &npending);
	if (CLI_HAS(o, CLI_DRIFT) && napplied) {
		dr.rc = migc_verify_schema(m, &dr.d, &dr.n);
		if (dr.rc != MIGC_OK && dr.rc != MIGC_VERIFY) {
			migc_free(s);
			return dr.rc;
		}
	}
	if (CLI_HAS(o, CLI_JSON)) {
		fputs("{\"database\":", stdout);
		jsonstr(safeurl);
		fputs(",\"table\":", stdout);
		jsonstr(table);
		if (schema) {
			fputs(",\"schema\":", stdout);
			jsonstr(schema);
		}
		printf(",\"applied\":%lu,\"pending\":%lu,\"migrations\":[", (unsigned long)napplied, (unsigned long)npending);
		for (i = 0; i < n; i++) {
			if (i)
				putchar(',');
			jsonstate(&s[i]);
		}
		putchar(']');
		if (dr.d || dr.rc != MIGC_OK || (CLI_HAS(o, CLI_DRIFT) && napplied))
			printdrift(m, o, 1, &dr);
		fputs("}\n", stdout);
	} else {
		printf("database %s\ntracking table ", safeurl);
		if (schema) {
			printident(schema);
			putchar('.');
		}
		printident(table);
		putchar('\n');
		printf("%-16s %-12s %-26s %s\n", "version", "state", "applied at", "migration");
		for (i = 0; i < n; i++) {
			printf("%-16lld %-12s %-26s ", (long long)s[i].version, statename(s[i].kind),
			       s[i].applied_at ? s[i].applied_at : "");
			if (s[i].migration)
				printstem(stdout, s[i].migration);
			else
				printf("%s (not in this binary)", s[i].name);
			if (s[i].applied_at && s[i].kind != MIGC_UNKNOWN)
				printf(" (%lld ms)", s[i].ms);
			if (s[i].kind == MIGC_FAILED && s[i].statements_done >= s[i].statements_total)
				printf(" [reverting it did not finish]");
			else if (s[i].kind == MIGC_FAILED)
				printf(" [%ld of %ld statements]", s[i].statements_done, s[i].statements_total);
			putchar('\n');
		}
		printf("%lu applied, %lu pending\n", (unsigned long)napplied, (unsigned long)npending);
		if (CLI_HAS(o, CLI_DRIFT) && napplied)
			printdrift(m, o, 1, &dr);
	}
	migc_free(dr.d);
	migc_free(s);
	return MIGC_OK;
}

static int
cmdverify(struct cli_run *run)
{
	const struct opts *o = run->o;
	migc *m = run->m;
	struct drift dr = { MIGC_OK, NULL, 0 };
	struct migc_state *s;
	size_t i, n, napplied, npending, nproblems = 0;
	int rc, first = 1;

	rc = migc_status(m, &s, &n);
	if (rc != MIGC_OK)
		return rc;
	counts(s, n, &napplied, &npending);
	for (i = 0; i < n; i++)
		nproblems += isproblem(&s[i], CLI_HAS(o, CLI_ALLOW_OUT_OF_ORDER));
	if (CLI_HAS(o, CLI_DRIFT)) {
		dr.rc = migc_verify_schema(m, &dr.d, &dr.n);
		if (dr.rc != MIGC_OK && dr.rc != MIGC_VERIFY) {
			migc_free(s);
			return dr.rc;
		}
	}
	if (CLI_HAS(o, CLI_JSON)) {
		printf("{\"ok\":%s,\"applied\":%lu,\"pending\":%lu,\"problems\":[",
		       nproblems || dr.rc != MIGC_OK ? "false" : "true", (unsigned long)napplied, (unsigned long)npending);
		for (i = 0; i < n; i++) {
			if (!isproblem(&s[i], CLI_HAS(o, CLI_ALLOW_OUT_OF_ORDER)) && s[i].kind != MIGC_APPLIED_EOL &&
			    s[i].kind != MIGC_ACCEPTED)
				continue;
			if (!first)
				putchar(',');
			first = 0;
			jsonstate(&s[i]);
		}
		putchar(']');
		if (CLI_HAS(o, CLI_DRIFT))
			printdrift(m, o, 0, &dr);
		fputs("}\n", stdout);
		migc_free(s);
		migc_free(dr.d);
		return nproblems ? MIGC_VERIFY : dr.rc;
	}
	migc_free(s);
	if (CLI_HAS(o, CLI_DRIFT))
		printdrift(m, o, 0, &dr);
	migc_free(dr.d);
	rc = migc_verify(m);
	if (rc == MIGC_OK)
		printf("ok: %lu applied migrations match this binary, %lu pending\n",
		       (unsigned long)napplied, (unsigned long)npending);
	if (rc == MIGC_OK && dr.rc != MIGC_OK) {
		fprintf(stderr, "%s: verification failed: the schema drifted since the newest migration ran "
		        "(see above)\n", o->prog);
		return -MIGC_VERIFY;
	}
	return rc;
}

/* Does sc run with foreign keys off? SQLite runs every transactional
** script so, unless it says -- migc:foreign-keys-on. */
static int
fkoff(const struct migc_set *set, const struct migc_script *sc)
{
	return strcmp(set->dialect, "sqlite") == 0 && !(sc->flags & (MIGC_NO_TRANSACTION | MIGC_FOREIGN_KEYS_ON));
}

static int
cmdlist(struct cli_run *run)
{
	const struct migc_set *set = run->set;
	int json = CLI_HAS(run->o, CLI_JSON);
	unsigned long i;

	if (json)
		printf("{\"dialect\":\"%s\",\"hash\":\"%s\",\"migrations\":[", set->dialect, set->hash);
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *mig = &set->migrations[i];

		if (json) {
			printf("%s{\"version\":%lld,\"name\":", i ? "," : "", (long long)mig->version);
			jsonstr(mig->name);
			fputs(",\"file\":", stdout);
			jsonstr(mig->up.file);
			fputs(",\"down\":", stdout);
			if (mig->down.file)
				jsonstr(mig->down.file);
			else
				fputs("null", stdout);
			printf(",\"statements\":%lu,\"no_transaction\":%s,\"foreign_keys_off\":%s,\"checksum\":\"%s\"}",
			       mig->up.nstmts, (mig->up.flags & MIGC_NO_TRANSACTION) ? "true" : "false",
			       fkoff(set, &mig->up) ? "true" : "false", mig->checksum);
		} else {
			printstem(stdout, mig);
			printf("  %lu statement%s%s%s%s  %s\n", mig->up.nstmts, mig->up.nstmts == 1 ? "" : "s",
			       mig->down.file ? ", down" : ", no down",
			       (mig->up.flags & MIGC_NO_TRANSACTION) ? ", no transaction" : "",
			       (mig->up.flags & MIGC_FOREIGN_KEYS_ON) ? ", foreign keys on" : "", mig->checksum);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	return MIGC_OK;
}

static int
cmdshow(struct cli_run *run)
{
	const struct opts *o = run->o;
	const struct migc_migration *mig = migc_find(run->set, o->number[CLI_OPERAND]);

	if (!mig) {
		fprintf(stderr, "%s: error: no migration has version %s\n", o->prog, o->text[CLI_OPERAND]);
		return -MIGC_INPUT;
	}
	printf("-- %s (%s)\n", mig->up.file, mig->checksum);
	fwrite(mig->up.sql, 1, mig->up.length, stdout);
	if (mig->up.length && mig->up.sql[mig->up.length - 1] != '\n')
		putchar('\n');
	if (mig->down.file) {
		printf("-- %s\n", mig->down.file);
		fwrite(mig->down.sql, 1, mig->down.length, stdout);
		if (mig->down.length && mig->down.sql[mig->down.length - 1] != '\n')
			putchar('\n');
	} else {
		printf("-- (no down migration)\n");
	}
	return MIGC_OK;
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
	return CLI_HAS(r->o, CLI_TO) ? migc_down(r->m, 0, r->o->number[CLI_TO]) : migc_down(r->m, 1, 0);
}

static int
cmdredo(struct cli_run *r)
{
	return migc_redo(r->m);
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

/* Open the database, set the options on the handle and run command c.
** Returns its MIGC_ result code, negated when the message was printed. */
static int
withdatabase(const struct cli_command *c, struct cli_run *r)
{
	const struct opts *o = r->o;
	const char *url = o->text[CLI_DATABASE] ? o->text[CLI_DATABASE] : getenv("DATABASE_URL");
	int readonly = c->db == CLI_READ || CLI_HAS(o, CLI_DRY_RUN);
	char *safeurl;
	migc *m;
	int rc;

	if (!url || !*url) {
		usageerror(o, "no database: pass --database URL or set DATABASE_URL");
		return -MIGC_INPUT;
	}
	safeurl = migc__redacturl(url);
	rc = migc_open(&m, url, r->set, readonly ? MIGC_READONLY : 0);
	if (rc == MIGC_OK && CLI_HAS(o, CLI_TABLE))
		rc = migc_set_table(m, o->text[CLI_TABLE]);
	if (rc == MIGC_OK && CLI_HAS(o, CLI_SCHEMA))
		rc = migc_set_schema(m, o->text[CLI_SCHEMA]);
	if (rc == MIGC_OK) {
		if (CLI_HAS(o, CLI_LOCK_TIMEOUT))
			migc_set_lock_timeout(m, (int)o->number[CLI_LOCK_TIMEOUT]);
		migc_set_allow_out_of_order(m, CLI_HAS(o, CLI_ALLOW_OUT_OF_ORDER));
		migc_set_single_transaction(m, CLI_HAS(o, CLI_SINGLE_TRANSACTION));
		migc_set_resume(m, CLI_HAS(o, CLI_RESUME));
		migc_set_event(m, onevent, r);
		r->m = m;
		r->safeurl = safeurl ? safeurl : "";
		rc = c->xRun(r);
	}
	if (rc > 0) {
		fprintf(stderr, "%s: %s: ", o->prog, rc == MIGC_VERIFY ? "verification failed" : "error");
		putmsg(stderr, migc_errmsg(m));
		fputc('\n', stderr);
		rc = -rc;
	}
	migc_close(m);
	free(safeurl);
	return rc;
}

int
migc__climain(const char *prog, int argc, char **argv, const struct migc_set *const *sets,
        size_t nsets, const struct cli_tool *tool)
{
	const struct migc_set *loaded = NULL;
	const struct cli_command *c = argc > 1 ? findcommand(argv[1], tool) : NULL;
	const char *url, *dialect;
	struct cli_run run;
	struct opts o;
	size_t i;
	int rc;

	if (c && c->xMain)
		return c->xMain(argc, argv);
	memset(&o, 0, sizeof(o));
	memset(&run, 0, sizeof(run));
	o.prog = prog;
	run.o = &o;
	run.set = nsets ? sets[0] : NULL;
	rc = parseargs(&o, argc, argv, tool != NULL);
	if (rc != EXIT_OK)
		return rc;
	if (!o.cmd || strcmp(o.cmd, "help") == 0) {
		usage(o.cmd || o.help ? stdout : stderr, &o, tool);
		return o.cmd || o.help ? EXIT_OK : EXIT_USAGE;
	}
	c = findcommand(o.cmd, tool);
	if (!c)
		return usageerror(&o, "unknown command '%s'", o.cmd);
	if (o.help) {
		printf("usage: %s %s %s\n  %s\n", prog, c->name, c->usage, c->help);
		return EXIT_OK;
	}
	if (c->xMain)
		return usageerror(&o, "%s must come first: the options after it are its own", c->name);
	rc = checkargs(&o, c);
	if (rc != EXIT_OK)
		return rc;
	url = o.text[CLI_DATABASE] ? o.text[CLI_DATABASE] : getenv("DATABASE_URL");
	dialect = o.text[CLI_DIALECT] ? o.text[CLI_DIALECT] : url && *url ? urldialect(url) : NULL;
	if (dialect && strcmp(dialect, "sqlite") != 0 && strcmp(dialect, "postgres") != 0)
		return usageerror(&o, "--dialect: '%s' is not sqlite or postgres", dialect);
	if (tool) {
		loaded = tool->xLoad(o.text[CLI_DIR] ? o.text[CLI_DIR] : "migrations", dialect ? dialect : "sqlite");
		if (!loaded)
			return EXIT_USAGE;
		run.set = loaded;
	} else if (dialect) {
		for (i = 0; i < nsets && strcmp(sets[i]->dialect, dialect) != 0; i++)
			;
		if (i < nsets)
			run.set = sets[i];
	}
	rc = c->db == CLI_NODB ? c->xRun(&run) : withdatabase(c, &run);
	if (loaded)
		tool->xFree(loaded);
	return exitcode(rc < 0 ? -rc : rc);
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
