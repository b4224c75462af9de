/*
** cli.c: the command line shared by `migc` and every embedded binary:
** argument parsing, human and JSON output, exit codes. The library
** under it never prints; this file is the only one that does.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "url.h"
#include "cli.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_VERIFY = 3 };

struct opts {
	const char *prog;
	const char *cmd;
	const char *arg;          /* the command's operand (show V, baseline V) */
	const char *database;
	const char *table;
	const char *dir;
	const char *dialect;
	const char *schema;
	const char *to;
	int json, dryrun, help, allow_out_of_order, single_transaction, resume;
	int accept_checksums;
	int drift;                /* verify/status --schema: compare the live schema */
	const char *clear_failed;
	int lock_timeout;         /* -1: default */
};

struct command {
	const char *name;
	const char *args;
	const char *help;
	int devonly;              /* only in the developer tool */
};

static const struct command commands[] = {
	{ "status",   "[--json] [--schema]",  "show applied and pending migrations", 0 },
	{ "up",       "[--to V] [--dry-run] [--single-transaction] [--resume]", "apply pending migrations (up to version V)", 0 },
	{ "down",     "[--to V]",             "revert the newest migration, or all newer than V (0: all)", 0 },
	{ "redo",     "",                     "revert the newest migration and apply it again", 0 },
	{ "verify",   "[--json] [--schema]",  "check applied migrations against this binary, and the schema (exit 3 on a problem)", 0 },
	{ "list",     "[--json]",             "list the embedded migrations (no database needed)", 0 },
	{ "show",     "V",                    "print migration V's SQL, up and down", 0 },
	{ "baseline", "V",                    "record 1..V as applied without running them", 0 },
	{ "repair",   "--clear-failed V | --accept-checksums", "fix the tracking table after a manual fix or a deliberate edit", 0 },
	{ "new",      "NAME [--timestamp]",   "create the next numbered migration file in --dir", 1 },
	{ "gen",      "...",                  "generate C from a migration directory (migc gen --help)", 1 },
	{ "hash",     "DIR",                  "write DIR/migc.sum, the manifest CI checks", 1 },
	{ "check",    "DIR [--against FILE] [--json]", "compare DIR with its migc.sum (and a released one), no database", 1 },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f, const struct opts *o, int dev)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [options]\n\ncommands:\n", o->prog);
	for (i = 0; i < NCOMMANDS; i++)
		if (dev || !commands[i].devonly)
			fprintf(f, "  %s%s%s\n              %s\n", commands[i].name, *commands[i].args ? " " : "",
			        commands[i].args, commands[i].help);
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
	if (dev)
		fprintf(f, "  --dir DIR             migration directory (default migrations)\n");
	fprintf(f, "  --dialect D           sqlite or postgres, when no --database says which\n");
	fprintf(f, "  -h, --help            show this help\n"
	        "\nexit status: 0 ok, 1 runtime error, 2 usage or bad input, 3 verification failure\n");
}

static int
usageerror(const struct opts *o, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: error: ", o->prog);
	fprintf(stderr, fmt, arg);
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

static int
parseargs(struct opts *o, int argc, char **argv, int dev)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char name[32];
		const char **slot = NULL;

		if (a[0] != '-' || a[1] == '\0') {
			if (!o->cmd)
				o->cmd = a;
			else if (!o->arg)
				o->arg = a;
			else
				return usageerror(o, "unexpected argument '%s'", a);
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = 1;
			continue;
		}
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		if (strcmp(name, "--json") == 0 && !eq) {
			o->json = 1;
			continue;
		}
		if (strcmp(name, "--dry-run") == 0 && !eq) {
			o->dryrun = 1;
			continue;
		}
		if (strcmp(name, "--allow-out-of-order") == 0 && !eq) {
			o->allow_out_of_order = 1;
			continue;
		}
		if (strcmp(name, "--single-transaction") == 0 && !eq) {
			o->single_transaction = 1;
			continue;
		}
		if (strcmp(name, "--resume") == 0 && !eq) {
			o->resume = 1;
			continue;
		}
		if (strcmp(name, "--accept-checksums") == 0 && !eq) {
			o->accept_checksums = 1;
			continue;
		}
		if (strcmp(name, "--database") == 0)
			slot = &o->database;
		else if (strcmp(name, "--table") == 0)
			slot = &o->table;
		else if (strcmp(name, "--schema") == 0 && !eq && (i + 1 >= argc || argv[i + 1][0] == '-')) {
			/* --schema with no name after it: the schema drift check */
			o->drift = 1;
			continue;
		} else if (strcmp(name, "--schema") == 0 || strcmp(name, "--tracking-schema") == 0)
			slot = &o->schema;
		else if (strcmp(name, "--clear-failed") == 0)
			slot = &o->clear_failed;
		else if (strcmp(name, "--to") == 0)
			slot = &o->to;
		else if (strcmp(name, "--lock-timeout") == 0)
			slot = &val;
		else if (dev && strcmp(name, "--dir") == 0)
			slot = &o->dir;
		else if (strcmp(name, "--dialect") == 0)
			slot = &o->dialect;
		else
			return usageerror(o, "unknown option '%s'", a);
		if (eq) {
			*slot = eq + 1;
		} else if (i + 1 < argc) {
			*slot = argv[++i];
		} else {
			return usageerror(o, "option %s needs a value", a);
		}
		if (slot == &val) {
			int64_t secs;

			if (parseversion(val, &secs) != 0 || secs > 86400)
				return usageerror(o, "--lock-timeout: '%s' is not a number of seconds (0 to 86400)", val);
			o->lock_timeout = (int)secs;
		}
	}
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

struct eventctx {
	const struct opts *o;
	const struct migc_migration *last;  /* of the last SQL printed */
	int nevents;                        /* migrations applied, reverted or baselined */
};

static void
onevent(void *ctx, const struct migc_event *ev)
{
	struct eventctx *e = ctx;
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

	if (o->json) {
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
cmdstatus(migc *m, const struct opts *o, const char *safeurl)
{
	const char *table = o->table ? o->table : "migc_migrations", *schema;
	struct drift dr = { MIGC_OK, NULL, 0 };
	struct migc_state *s;
	size_t i, n, napplied, npending;
	int rc;

	rc = migc_status(m, &s, &n);
	if (rc != MIGC_OK)
		return rc;
	schema = migc_tracking_schema(m);
	counts(s, n, &napplied, &npending);
	if (o->drift && napplied) {
		dr.rc = migc_verify_schema(m, &dr.d, &dr.n);
		if (dr.rc != MIGC_OK && dr.rc != MIGC_VERIFY) {
			migc_free(s);
			return dr.rc;
		}
	}
	if (o->json) {
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
		if (dr.d || dr.rc != MIGC_OK || (o->drift && napplied))
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
		if (o->drift && napplied)
			printdrift(m, o, 1, &dr);
	}
	migc_free(dr.d);
	migc_free(s);
	return MIGC_OK;
}

static int
cmdverify(migc *m, const struct opts *o)
{
	struct drift dr = { MIGC_OK, NULL, 0 };
	struct migc_state *s;
	size_t i, n, napplied, npending, nproblems = 0;
	int rc, first = 1;

	rc = migc_status(m, &s, &n);
	if (rc != MIGC_OK)
		return rc;
	counts(s, n, &napplied, &npending);
	for (i = 0; i < n; i++)
		nproblems += isproblem(&s[i], o->allow_out_of_order);
	if (o->drift) {
		dr.rc = migc_verify_schema(m, &dr.d, &dr.n);
		if (dr.rc != MIGC_OK && dr.rc != MIGC_VERIFY) {
			migc_free(s);
			return dr.rc;
		}
	}
	if (o->json) {
		printf("{\"ok\":%s,\"applied\":%lu,\"pending\":%lu,\"problems\":[",
		       nproblems || dr.rc != MIGC_OK ? "false" : "true", (unsigned long)napplied, (unsigned long)npending);
		for (i = 0; i < n; i++) {
			if (!isproblem(&s[i], o->allow_out_of_order) && s[i].kind != MIGC_APPLIED_EOL &&
			    s[i].kind != MIGC_ACCEPTED)
				continue;
			if (!first)
				putchar(',');
			first = 0;
			jsonstate(&s[i]);
		}
		putchar(']');
		if (o->drift)
			printdrift(m, o, 0, &dr);
		fputs("}\n", stdout);
		migc_free(s);
		migc_free(dr.d);
		return nproblems ? MIGC_VERIFY : dr.rc;
	}
	migc_free(s);
	migc_set_allow_out_of_order(m, o->allow_out_of_order);
	if (o->drift)
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
cmdlist(const struct migc_set *set, const struct opts *o)
{
	unsigned long i;

	if (o->json)
		printf("{\"dialect\":\"%s\",\"hash\":\"%s\",\"migrations\":[", set->dialect, set->hash);
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *mig = &set->migrations[i];

		if (o->json) {
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
	if (o->json)
		fputs("]}\n", stdout);
	return MIGC_OK;
}

static int
cmdshow(const struct migc_set *set, const struct opts *o)
{
	const struct migc_migration *mig;
	int64_t v;

	if (!o->arg || parseversion(o->arg, &v) != 0)
		return usageerror(o, "show needs a version, e.g. show 3%s", "");
	mig = migc_find(set, v);
	if (!mig) {
		fprintf(stderr, "%s: error: no migration has version %s\n", o->prog, o->arg);
		return EXIT_USAGE;
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
	return EXIT_OK;
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

/* Open the database and run a command that needs one. */
static int
withdatabase(const struct migc_set *set, const struct opts *o)
{
	const char *url = o->database ? o->database : getenv("DATABASE_URL");
	int readonly = strcmp(o->cmd, "status") == 0 || strcmp(o->cmd, "verify") == 0 || o->dryrun;
	struct eventctx ectx = { o, NULL, 0 };
	char *safeurl;
	int64_t to = MIGC_LATEST, base = 0;
	migc *m;
	int rc;

	if (!url || !*url)
		return usageerror(o, "no database: pass --database URL or set DATABASE_URL%s", "");
	if (o->to && parseversion(o->to, &to) != 0)
		return usageerror(o, "--to: '%s' is not a version", o->to);
	if (o->dryrun && strcmp(o->cmd, "up") != 0)
		return usageerror(o, "--dry-run is for up only%s", "");
	if (o->to && strcmp(o->cmd, "up") != 0 && strcmp(o->cmd, "down") != 0)
		return usageerror(o, "--to is for up and down only%s", "");
	if (o->drift && strcmp(o->cmd, "verify") != 0 && strcmp(o->cmd, "status") != 0)
		return usageerror(o, "--schema without a name is for verify and status (the drift check)%s", "");
	if (o->single_transaction && (strcmp(o->cmd, "up") != 0 || o->dryrun))
		return usageerror(o, "--single-transaction is for up only%s", "");
	if (o->resume && (strcmp(o->cmd, "up") != 0 || o->dryrun || o->single_transaction))
		return usageerror(o, "--resume is for up only, without --dry-run or --single-transaction%s", "");
	if ((o->clear_failed || o->accept_checksums) && strcmp(o->cmd, "repair") != 0)
		return usageerror(o, "--clear-failed and --accept-checksums are for repair only%s", "");
	if (strcmp(o->cmd, "repair") == 0 && !o->clear_failed == !o->accept_checksums)
		return usageerror(o, "repair needs exactly one of --clear-failed V and --accept-checksums: it changes nothing without%s", "");
	if (o->clear_failed && parseversion(o->clear_failed, &to) != 0)
		return usageerror(o, "--clear-failed: '%s' is not a version", o->clear_failed);
	if ((strcmp(o->cmd, "baseline") == 0) != (o->arg != NULL))
		return usageerror(o, o->arg ? "unexpected argument '%s'" : "baseline needs a version, e.g. baseline 3", o->arg);
	if (o->arg && parseversion(o->arg, &base) != 0)
		return usageerror(o, "baseline: '%s' is not a version", o->arg);
	safeurl = migc__redacturl(url);
	rc = migc_open(&m, url, set, readonly ? MIGC_READONLY : 0);
	if (rc == MIGC_OK && o->table)
		rc = migc_set_table(m, o->table);
	if (rc == MIGC_OK && o->schema)
		rc = migc_set_schema(m, o->schema);
	if (rc == MIGC_OK) {
		if (o->lock_timeout >= 0)
			migc_set_lock_timeout(m, o->lock_timeout);
		migc_set_allow_out_of_order(m, o->allow_out_of_order);
		migc_set_single_transaction(m, o->single_transaction);
		migc_set_resume(m, o->resume);
		migc_set_event(m, onevent, &ectx);
		if (strcmp(o->cmd, "status") == 0) {
			rc = cmdstatus(m, o, safeurl ? safeurl : "");
		} else if (strcmp(o->cmd, "verify") == 0) {
			rc = cmdverify(m, o);
		} else if (strcmp(o->cmd, "up") == 0) {
			rc = o->dryrun ? migc_up_dry_run(m, to) : migc_up(m, to);
			if (rc == MIGC_OK && !o->dryrun && ectx.nevents == 0)
				printf("nothing to apply: the database is up to date\n");
			if (rc == MIGC_OK && o->dryrun && ectx.last == NULL)
				printf("-- nothing to apply\n");
		} else if (strcmp(o->cmd, "down") == 0) {
			rc = o->to ? migc_down(m, 0, to) : migc_down(m, 1, 0);
		} else if (strcmp(o->cmd, "redo") == 0) {
			rc = migc_redo(m);
		} else if (strcmp(o->cmd, "repair") == 0) {
			rc = migc_repair(m, o->clear_failed ? MIGC_REPAIR_CLEAR_FAILED : MIGC_REPAIR_ACCEPT_CHECKSUMS, to);
		} else {
			rc = migc_baseline(m, base);
		}
	}
	if (rc == -MIGC_VERIFY)       /* already said */
		rc = MIGC_VERIFY;
	else if (rc != MIGC_OK) {
		fprintf(stderr, "%s: %s: ", o->prog, rc == MIGC_VERIFY ? "verification failed" : "error");
		putmsg(stderr, migc_errmsg(m));
		fputc('\n', stderr);
	}
	migc_close(m);
	free(safeurl);
	return exitcode(rc);
}

int
migc__climain(const char *prog, int argc, char **argv, const struct migc_set *const *sets,
        size_t nsets, const struct cli_source *src)
{
	const struct migc_set *loaded = NULL, *set = nsets ? sets[0] : NULL;
	const char *url, *dialect;
	struct opts o;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	o.prog = prog;
	o.lock_timeout = -1;
	rc = parseargs(&o, argc, argv, src != NULL);
	if (rc != EXIT_OK)
		return rc;
	if (!o.cmd || strcmp(o.cmd, "help") == 0) {
		usage(o.cmd || o.help ? stdout : stderr, &o, src != NULL);
		return o.cmd || o.help ? EXIT_OK : EXIT_USAGE;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(o.cmd, commands[i].name) == 0 && (src || !commands[i].devonly))
			break;
	if (i == NCOMMANDS)
		return usageerror(&o, "unknown command '%s'", o.cmd);
	if (o.help) {
		printf("usage: %s %s %s\n  %s\n", prog, commands[i].name, commands[i].args, commands[i].help);
		return EXIT_OK;
	}
	url = o.database ? o.database : getenv("DATABASE_URL");
	dialect = o.dialect ? o.dialect : url && *url ? urldialect(url) : NULL;
	if (dialect && strcmp(dialect, "sqlite") != 0 && strcmp(dialect, "postgres") != 0)
		return usageerror(&o, "--dialect: '%s' is not sqlite or postgres", dialect);
	if (src) {
		loaded = src->xLoad(o.dir ? o.dir : "migrations", dialect ? dialect : "sqlite");
		if (!loaded)
			return EXIT_USAGE;
		set = loaded;
	} else if (dialect) {
		for (i = 0; i < nsets && strcmp(sets[i]->dialect, dialect) != 0; i++)
			;
		if (i < nsets)
			set = sets[i];
	}
	if (strcmp(o.cmd, "list") == 0)
		rc = cmdlist(set, &o);
	else if (strcmp(o.cmd, "show") == 0)
		rc = cmdshow(set, &o);
	else
		rc = withdatabase(set, &o);
	if (loaded)
		src->xFree(loaded);
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
