/*
** cliout.c: what the command line prints: status, verify, list and show,
** as text or JSON, the events of a run, and the library's messages in the
** command line's words (the flag where the library names its API). Its
** own file because cli.c is about the arguments, this one about output.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "cli.h"
#include "cliout.h"
#include "json.h"
#include "text.h"

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
	{ "migc_repair with MIGC_REPAIR_ACCEPT_CHECKSUMS", "repair --accept-checksums" },
	{ "a single transaction (migc_set_single_transaction) cannot include", "--single-transaction cannot include" },
	{ "set migc_set_allow_out_of_order",        "run with --allow-out-of-order" },
	{ "(migc_set_lock_timeout)",                "(--lock-timeout)" },
	{ "(migc_set_ddl_retries)",                 "(--ddl-retries)" },
	{ "migc_set_ddl_lock_timeout is",           "--ddl-lock-timeout is" },
	{ "migc_set_statement_timeout is",          "--statement-timeout is" },
	{ "(migc_set_table)",                       "(--table)" },
	{ "set another name with migc_set_table",   "pass --table to use another name" },
	{ "(migc_set_schema)",                      "(--schema)" },
	{ "call migc_set_create_schema(m, 1) to have it made", "pass --create-schema to have it made" },
	{ "where a handle without migc_set_schema looks", "where a run without --schema looks" },
	{ "made with migc_set_schema)",             "made with --schema)" },
	{ "call migc_set_schema with the one",      "pass --schema with the one" },
	{ "set one with migc_set_schema",           "pass --schema" },
	{ "call migc_status (or any migc function that reads the database)", "run status (or any migc command)" },
	{ "migc_up would run",                      "up would run" },
	{ "with migc_adopt for goose",              "with adopt --from goose" },
	{ "with migc_adopt for dbmate",             "with adopt --from dbmate" },
	{ "with migc_adopt for golang-migrate",     "with adopt --from golang-migrate" },
	{ "with migc_adopt for sqlx",               "with adopt --from sqlx" },
	{ "with migc_adopt for sql-migrate",        "with adopt --from sql-migrate" },
	{ "leave it out with migc_set_ignore_tables in every run, this one first",
	  "pass --ignore-table with its name in every run, this one first" },
	{ "leave it out with migc_set_ignore_tables", "pass --ignore-table with its name" },
	{ "name it with migc_adopt's table",        "pass --from-table NAME" },
	{ "migc_adopt from golang-migrate",         "pass --from golang-migrate" },
	{ "migc_adopt from dbmate",                 "pass --from dbmate" },
	{ "migc_adopt: ",                           "adopt: " },
	{ "migc_adopt needs",                       "adopt needs" },
};
#define NHINTS (sizeof(hints) / sizeof(hints[0]))

/* The one hint that names a value: `call migc_set_schema(m, "NAME")`,
** NAME a C string literal, is `pass --schema WORD`, WORD the name as one
** shell word. */
#define SCHEMACALL "call migc_set_schema(m, \""

/* s as one shell word: as it is when that is safe, else in single quotes. */
static void
shellword(struct migc__text *t, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s)) {
		migc__textadd(t, s, strlen(s));
		return;
	}
	migc__textadd(t, "'", 1);
	for (; *s; s++)
		migc__textadd(t, *s == '\'' ? "'\\''" : s, *s == '\'' ? 4 : 1);
	migc__textadd(t, "'", 1);
}

/* At p, SCHEMACALL and the rest of it: add its command-line form to t and
** return what follows the call; NULL when p holds no whole call. */
static const char *
schemacall(struct migc__text *t, const char *p)
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
	migc__textadd(t, "pass --schema ", 14);
	shellword(t, name);
	return p + 2;
}

/* msg in the command line's words (malloc'd; NULL when out of memory). */
static char *
climsg(const char *msg)
{
	struct migc__text t = { NULL, 0, 0, 0 };
	const char *p = msg, *next;
	size_t i;

	migc__textadd(&t, "", 0);
	while (*p) {
		if ((next = schemacall(&t, p)) != NULL) {
			p = next;
			continue;
		}
		for (i = 0; i < NHINTS && strncmp(p, hints[i].api, strlen(hints[i].api)) != 0; i++)
			;
		if (i < NHINTS) {
			migc__textadd(&t, hints[i].cli, strlen(hints[i].cli));
			p += strlen(hints[i].api);
		} else {
			migc__textadd(&t, p++, 1);
		}
	}
	if (t.nomem) {
		free(t.s);
		return NULL;
	}
	return t.s;
}

void
migc__cliputmsg(FILE *f, const char *msg)
{
	char *t = climsg(msg);

	fputs(t ? t : msg, f);
	free(t);
}

/* ,"error":MSG on standard output, MSG in the command line's words. */
static void
jsonerror(const char *msg)
{
	char *t = climsg(msg);

	fputs(",\"error\":", stdout);
	migc__jsonstr(stdout, t ? t : msg);
	free(t);
}

void
migc__clijsonerror(const char *msg)
{
	fputs("{\"ok\":false", stdout);
	jsonerror(msg);
	fputs("}\n", stdout);
}

/* "0003_add_presence" for 0003_add_presence.sql */
static void
printstem(FILE *f, const struct migc_migration *mig)
{
	size_t n = strlen(mig->up.file);

	/* 0001_x.sql, or golang-migrate's and sqlx's 0001_x.up.sql. */
	n = n > 7 && strcmp(mig->up.file + n - 7, ".up.sql") == 0 ? n - 7 : n > 4 ? n - 4 : n;
	fprintf(f, "%.*s", (int)n, mig->up.file);
}

/* The event callback of a run (ctx, a struct cli_run): a line for each
** migration applied, reverted or baselined, warnings, repairs and the
** SQL of a dry run. */
void
migc__clievent(void *ctx, const struct migc_event *ev)
{
	struct cli_run *e = ctx;
	const char *verb = NULL;

	switch (ev->kind) {
	case MIGC_EV_APPLIED: verb = "applied"; break;
	case MIGC_EV_REVERTED: verb = "reverted"; break;
	case MIGC_EV_BASELINED: verb = "baselined"; break;
	case MIGC_EV_ADOPTED: verb = CLI_HAS(e->o, CLI_DRY_RUN) ? "would adopt" : "adopted"; break;
	case MIGC_EV_NOTICE:
		fprintf(stderr, "%s: warning: ", e->o->prog);
		migc__cliputmsg(stderr, ev->text);
		fputc('\n', stderr);
		return;
	case MIGC_EV_REPAIRED:
		printf("%s\n", ev->text);
		return;
	case MIGC_EV_RETRY:
		migc__cliputmsg(stdout, ev->text);
		putchar('\n');
		fflush(stdout);
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
	if (ev->kind == MIGC_EV_ADOPTED)
		printf(" (applied by %s)", ev->text);
	else if (ev->kind != MIGC_EV_BASELINED)
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

static void
jsonstate(const struct migc_state *s)
{
	printf("{\"version\":%lld,\"state\":\"%s\",\"name\":", (long long)s->version, statename(s->kind));
	migc__jsonstr(stdout, s->migration ? s->migration->name : s->name);
	if (s->migration) {
		fputs(",\"file\":", stdout);
		migc__jsonstr(stdout, s->migration->up.file);
		fputs(",\"checksum\":", stdout);
		migc__jsonstr(stdout, s->migration->checksum);
	}
	if (s->applied_at) {
		fputs(",\"applied_at\":", stdout);
		migc__jsonstr(stdout, s->applied_at);
		printf(",\"execution_ms\":%lld,\"statements_done\":%ld,\"statements_total\":%ld,\"recorded_checksum\":",
		       s->ms, s->statements_done, s->statements_total);
		migc__jsonstr(stdout, s->checksum);
	}
	if (s->error) {
		fputs(",\"error\":", stdout);
		migc__jsonstr(stdout, s->error);
	}
	if (s->origin) {
		fputs(",\"adopted_from\":", stdout);
		migc__jsonstr(stdout, s->origin);
	}
	putchar('}');
}

/* How many repeatable migrations up would run: *due. */
static int
repeatablesdue(migc *m, int *due)
{
	struct migc_state *s;
	size_t i, n;
	int rc = migc_repeatable_status(m, &s, &n);

	*due = 0;
	for (i = 0; rc == MIGC_OK && i < n; i++)
		*due += s[i].kind == MIGC_PENDING || s[i].kind == MIGC_EDITED;
	if (rc == MIGC_OK)
		migc_free(s);
	return rc;
}

/* A repeatable migration's state, as status shows it. */
static const char *
repeatablestate(enum migc_state_kind k)
{
	return k == MIGC_EDITED ? "changed" : statename(k);
}

/* The set's repeatable migrations (and those recorded that it lacks), as
** status lists them: text lines after the versioned ones, or a JSON
** member; *due counts those up would run. */
static int
printrepeatables(migc *m, int json, size_t *due)
{
	struct migc_state *s;
	size_t i, n;
	int rc = migc_repeatable_status(m, &s, &n);

	*due = 0;
	if (rc != MIGC_OK)
		return rc;
	if (json)
		fputs(",\"repeatables\":[", stdout);
	for (i = 0; i < n; i++) {
		*due += s[i].kind == MIGC_PENDING || s[i].kind == MIGC_EDITED;
		if (json) {
			printf("%s{\"state\":\"%s\",\"name\":", i ? "," : "", repeatablestate(s[i].kind));
			migc__jsonstr(stdout, s[i].migration ? s[i].migration->name : s[i].name);
			if (s[i].migration) {
				fputs(",\"file\":", stdout);
				migc__jsonstr(stdout, s[i].migration->up.file);
				fputs(",\"checksum\":", stdout);
				migc__jsonstr(stdout, s[i].migration->checksum);
			}
			if (s[i].applied_at) {
				fputs(",\"applied_at\":", stdout);
				migc__jsonstr(stdout, s[i].applied_at);
				printf(",\"execution_ms\":%lld,\"recorded_checksum\":", s[i].ms);
				migc__jsonstr(stdout, s[i].checksum);
			}
			putchar('}');
			continue;
		}
		printf("%-16s %-12s %-26s ", "repeatable", repeatablestate(s[i].kind), s[i].applied_at ? s[i].applied_at : "");
		if (s[i].migration)
			printstem(stdout, s[i].migration);
		else
			printf("R__%s (not in this binary)", s[i].name);
		if (s[i].applied_at)
			printf(" (%lld ms)", s[i].ms);
		if (s[i].kind == MIGC_EDITED)
			fputs(" [changed since it ran: up runs it again]", stdout);
		putchar('\n');
	}
	if (json)
		putchar(']');
	migc_free(s);
	return MIGC_OK;
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
printdrift(migc *m, const struct cli_opts *o, int summary, const struct drift *r)
{
	const struct migc_drift *d = r->d;
	size_t i;

	if (CLI_HAS(o, CLI_JSON)) {
		printf(",\"schema\":{\"ok\":%s,\"drift\":[", r->rc == MIGC_OK ? "true" : "false");
		for (i = 0; i < r->n; i++) {
			printf("%s{\"kind\":", i ? "," : "");
			migc__jsonstr(stdout, d[i].kind);
			fputs(",\"name\":", stdout);
			migc__jsonstr(stdout, d[i].name);
			printf(",\"change\":\"%s\",\"expected\":", d[i].change);
			if (d[i].expected)
				migc__jsonstr(stdout, d[i].expected);
			else
				fputs("null", stdout);
			fputs(",\"actual\":", stdout);
			if (d[i].actual)
				migc__jsonstr(stdout, d[i].actual);
			else
				fputs("null", stdout);
			putchar('}');
		}
		putchar(']');
		if (r->rc != MIGC_OK && r->n == 0)
			jsonerror(migc_errmsg(m));
		putchar('}');
	} else if (r->rc == MIGC_OK) {
		printf("schema: matches what the newest migration produced\n");
	} else if (summary) {
		printf("schema: drifted: %lu object%s differ%s (verify --drift lists them)\n", (unsigned long)r->n,
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
			migc__cliputmsg(stdout, migc_errmsg(m));
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

int
migc__clistatus(struct cli_run *run)
{
	const struct cli_opts *o = run->o;
	const char *table = o->text[CLI_TABLE] ? o->text[CLI_TABLE] : "migc_migrations", *schema;
	const char *safeurl = run->safeurl;
	migc *m = run->m;
	struct drift dr = { MIGC_OK, NULL, 0 };
	struct migc_state *s;
	const char *tool = NULL, *tooltable = NULL;
	size_t i, n, napplied, npending, nrows = 0, due = 0;
	int rc;

	rc = migc_status(m, &s, &n);
	if (rc != MIGC_OK)
		return rc;
	schema = migc_tracking_schema(m);
	counts(s, n, &napplied, &npending);
	for (i = 0; i < n; i++)
		nrows += s[i].applied_at != NULL;
	/* Nothing recorded: is this another tool's database (up refuses it)? */
	if (nrows == 0 && n > 0 && (rc = migc_other_tool(m, &tool, &tooltable)) != MIGC_OK) {
		migc_free(s);
		return rc;
	}
	if (CLI_HAS(o, CLI_DRIFT) && napplied) {
		dr.rc = migc_verify_schema(m, &dr.d, &dr.n);
		if (dr.rc != MIGC_OK && dr.rc != MIGC_VERIFY) {
			migc_free(s);
			return dr.rc;
		}
	}
	if (CLI_HAS(o, CLI_JSON)) {
		run->jsondone = 1;
		fputs("{\"database\":", stdout);
		migc__jsonstr(stdout, safeurl);
		fputs(",\"table\":", stdout);
		migc__jsonstr(stdout, table);
		if (schema) {
			fputs(",\"schema\":", stdout);
			migc__jsonstr(stdout, schema);
		}
		printf(",\"applied\":%lu,\"pending\":%lu,", (unsigned long)napplied, (unsigned long)npending);
		if (tool) {
			fputs("\"other_tool\":{\"tool\":", stdout);
			migc__jsonstr(stdout, tool);
			fputs(",\"table\":", stdout);
			migc__jsonstr(stdout, tooltable);
			fputs("},", stdout);
		}
		fputs("\"migrations\":[", stdout);
		for (i = 0; i < n; i++) {
			if (i)
				putchar(',');
			jsonstate(&s[i]);
		}
		putchar(']');
		if (run->set->nrepeatables && (rc = printrepeatables(m, 1, &due)) != MIGC_OK) {
			migc_free(s);
			return rc;
		}
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
			if (s[i].origin)
				printf(" (adopted from %s)", s[i].origin);
			else if (s[i].applied_at && s[i].kind != MIGC_UNKNOWN)
				printf(" (%lld ms)", s[i].ms);
			if (s[i].kind == MIGC_FAILED && s[i].statements_done >= s[i].statements_total)
				printf(" [reverting it did not finish]");
			else if (s[i].kind == MIGC_FAILED)
				printf(" [%ld of %ld statements]", s[i].statements_done, s[i].statements_total);
			putchar('\n');
		}
		if (run->set->nrepeatables && (rc = printrepeatables(m, 0, &due)) != MIGC_OK) {
			migc_free(s);
			return rc;
		}
		printf("%lu applied, %lu pending", (unsigned long)napplied, (unsigned long)npending);
		if (run->set->nrepeatables)
			printf("; %lu repeatable, %lu to run", run->set->nrepeatables, (unsigned long)due);
		putchar('\n');
		if (tool)
			printf("note: this database holds %s's tracking table %s, and migc has recorded nothing here: run "
			       "adopt --from %s to record what %s applied (up would run every migration again, and refuses "
			       "to)\n", tool, tooltable, tool, tool);
		if (CLI_HAS(o, CLI_DRIFT) && napplied)
			printdrift(m, o, 1, &dr);
	}
	migc_free(dr.d);
	migc_free(s);
	return MIGC_OK;
}

int
migc__cliverify(struct cli_run *run)
{
	const struct cli_opts *o = run->o;
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
		nproblems += s[i].problem;
	if (CLI_HAS(o, CLI_DRIFT)) {
		dr.rc = migc_verify_schema(m, &dr.d, &dr.n);
		if (dr.rc != MIGC_OK && dr.rc != MIGC_VERIFY) {
			migc_free(s);
			return dr.rc;
		}
	}
	if (CLI_HAS(o, CLI_JSON)) {
		int due = 0;

		/* The reason, as the text says it, for "error" and standard error. */
		rc = nproblems ? migc_verify(m) : MIGC_OK;
		if ((rc != MIGC_OK && rc != MIGC_VERIFY) ||
		    (run->set->nrepeatables && (rc = repeatablesdue(m, &due)) != MIGC_OK)) {
			migc_free(s);
			migc_free(dr.d);
			return rc;
		}
		run->jsondone = 1;
		printf("{\"ok\":%s,\"applied\":%lu,\"pending\":%lu,", nproblems || dr.rc != MIGC_OK ? "false" : "true",
		       (unsigned long)napplied, (unsigned long)npending);
		if (run->set->nrepeatables)
			printf("\"repeatables\":%lu,\"repeatables_to_run\":%d,", run->set->nrepeatables, due);
		fputs("\"problems\":[", stdout);
		for (i = 0; i < n; i++) {
			if (!s[i].problem && s[i].kind != MIGC_APPLIED_EOL &&
			    s[i].kind != MIGC_ACCEPTED)
				continue;
			if (!first)
				putchar(',');
			first = 0;
			jsonstate(&s[i]);
		}
		putchar(']');
		if (nproblems)
			jsonerror(migc_errmsg(m));
		if (CLI_HAS(o, CLI_DRIFT))
			printdrift(m, o, 0, &dr);
		fputs("}\n", stdout);
		migc_free(s);
		migc_free(dr.d);
		if (!nproblems && dr.rc != MIGC_OK) {
			fprintf(stderr, "%s: verification failed: the schema drifted since the newest migration ran\n", o->prog);
			return -MIGC_VERIFY;
		}
		return nproblems ? MIGC_VERIFY : dr.rc;
	}
	migc_free(s);
	if (CLI_HAS(o, CLI_DRIFT))
		printdrift(m, o, 0, &dr);
	migc_free(dr.d);
	rc = migc_verify(m);
	if (rc == MIGC_OK && run->set->nrepeatables) {
		int due = 0;

		rc = repeatablesdue(m, &due);
		if (rc == MIGC_OK)
			printf("ok: %lu applied migrations match this binary, %lu pending; %lu repeatable, %d to run%s\n",
			       (unsigned long)napplied, (unsigned long)npending, run->set->nrepeatables, due,
			       due ? " (up runs them)" : "");
	} else if (rc == MIGC_OK)
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
	return strcmp(migc_dialect(set), "sqlite") == 0 && !(sc->flags & (MIGC_NO_TRANSACTION | MIGC_FOREIGN_KEYS_ON));
}

int
migc__clilist(struct cli_run *run)
{
	const struct migc_set *set = run->set;
	int json = CLI_HAS(run->o, CLI_JSON);
	unsigned long i;

	if (json)
		printf("{\"dialect\":\"%s\",\"hash\":\"%s\",\"migrations\":[", migc_dialect(set), set->hash);
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *mig = &set->migrations[i];

		if (json) {
			printf("%s{\"version\":%lld,\"name\":", i ? "," : "", (long long)mig->version);
			migc__jsonstr(stdout, mig->name);
			fputs(",\"file\":", stdout);
			migc__jsonstr(stdout, mig->up.file);
			fputs(",\"down\":", stdout);
			if (mig->down.file)
				migc__jsonstr(stdout, mig->down.file);
			else
				fputs("null", stdout);
			printf(",\"statements\":%lu,\"no_transaction\":%s,\"foreign_keys_off\":%s,\"checksum\":\"%s\"",
			       mig->up.nstmts, (mig->up.flags & MIGC_NO_TRANSACTION) ? "true" : "false",
			       fkoff(set, &mig->up) ? "true" : "false", mig->checksum);
			fputs(",\"irreversible\":", stdout);
			if (mig->irreversible)
				migc__jsonstr(stdout, mig->irreversible);
			else
				fputs("null", stdout);
			putchar('}');
		} else {
			printstem(stdout, mig);
			printf("  %lu statement%s%s%s%s  %s\n", mig->up.nstmts, mig->up.nstmts == 1 ? "" : "s",
			       mig->irreversible ? ", irreversible" : mig->down.file ? ", down" : ", no down",
			       (mig->up.flags & MIGC_NO_TRANSACTION) ? ", no transaction" : "",
			       (mig->up.flags & MIGC_FOREIGN_KEYS_ON) ? ", foreign keys on" : "", mig->checksum);
		}
	}
	if (json && set->nrepeatables)
		fputs("],\"repeatables\":[", stdout);
	for (i = 0; i < set->nrepeatables; i++) {
		const struct migc_migration *r = &set->repeatables[i];

		if (json) {
			printf("%s{\"name\":", i ? "," : "");
			migc__jsonstr(stdout, r->name);
			fputs(",\"file\":", stdout);
			migc__jsonstr(stdout, r->up.file);
			printf(",\"statements\":%lu,\"no_transaction\":%s,\"checksum\":\"%s\"}", r->up.nstmts,
			       (r->up.flags & MIGC_NO_TRANSACTION) ? "true" : "false", r->checksum);
		} else {
			printstem(stdout, r);
			printf("  repeatable, %lu statement%s%s  %s\n", r->up.nstmts, r->up.nstmts == 1 ? "" : "s",
			       (r->up.flags & MIGC_NO_TRANSACTION) ? ", no transaction" : "", r->checksum);
		}
	}
	if (json)
		fputs("]}\n", stdout);
	return MIGC_OK;
}

int
migc__clishow(struct cli_run *run)
{
	const struct cli_opts *o = run->o;
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
