/*
** command.c: what the developer tool's commands share: a usage error, the
** dialect names, loading a directory with its diagnostics printed, and
** printing what a comparison with migc.sum found.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "url.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "layout.h"
#include "load.h"
#include "sum.h"
#include "json.h"
#include "lint.h"
#include "command.h"

int
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

/* arg may be a connection string given in the wrong place (after a
** misspelt --replay-database): it is quoted without its passwords. */
int
usageerror(const char *usage, const char *fmt, const char *arg)
{
	char *safe = migc__redacturl(arg);

	if (!safe)
		fatal("out of memory");
	fputs("migc: error: ", stderr);
	fprintf(stderr, fmt, safe);
	fputc('\n', stderr);
	fputs(usage, stderr);
	free(safe);
	return 2;
}

/* The set names its driver here, not in load.c, which knows nothing of
** the runtime. */
struct migc_set *
loaddir(const char *dir, enum dialect dialect, enum layout layout, int strict)
{
	struct diags d = {{0}, 0, 0, 0};
	struct migc_set *set;

	d.strict = strict;
	set = loadset(dir, dialect, layout, &d);

	if (d.text.len)
		fputs(d.text.data, stderr);
	buffree(&d.text);
	if (set)
		set->driver = dialect == DIALECT_SQLITE ? &migc_driver_sqlite
		            : dialect == DIALECT_POSTGRES ? &migc_driver_postgres : NULL;
	return set;
}

int
readoption(const char *usage, int argc, char **argv, int *i, struct readopts *o)
{
	const char *a = argv[*i];

	if (strcmp(a, "--strict") == 0) {
		o->strict = 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return -1;
	if (strcmp(a, "--dialect") == 0) {
		o->dialectarg = argv[++*i];
		return 0;
	}
	if (strcmp(a, "--allow") == 0)
		return allowoption(usage, argv[++*i], &o->allow);
	if (strcmp(a, "--layout") == 0)
		return layoutoption(usage, argv[++*i], &o->layout);
	if (strcmp(a, "--dir") == 0)
		return diroption(usage, argv[++*i], &o->dir);
	return -1;
}

int
diroption(const char *usage, const char *value, const char **dir)
{
	if (*dir)
		return usageerror(usage, "one directory only: '%s' comes after another (DIR or --dir DIR)", value);
	*dir = value;
	return 0;
}

int
dialectoption(const char *usage, const char *s, enum dialect *d)
{
	if (parsedialect(s, d) != 0)
		return usageerror(usage, "--dialect: '%s' is not sqlite or postgres", s);
	return 0;
}

int
allowoption(const char *usage, const char *s, unsigned long *bits)
{
	const char *bad;
	size_t nbad;
	char *name;
	int rc;

	if (lintrules(s, strlen(s), bits, &bad, &nbad) == 0)
		return 0;
	name = xmemdup(bad, nbad);
	rc = usageerror(usage, "--allow: '%s' is no lint rule (migc lint --help lists them)", name);
	free(name);
	return rc;
}

int
lintset(const struct migc_set *set, const char *dir, enum dialect dialect, unsigned long allow, int strict)
{
	struct findings f = {NULL, 0, 0};
	struct diags d = {{0}, 0, 0, 0};

	d.strict = strict;
	lint(set, dir, dialect, allow, &f);
	lintreport(&f, &d);
	if (d.text.len)
		fputs(d.text.data, stderr);
	buffree(&d.text);
	freefindings(&f);
	return d.nerrors;
}

int
layoutoption(const char *usage, const char *s, enum layout *layout)
{
	if (parselayout(s, layout) != 0)
		return usageerror(usage, "--layout: '%s' is not one of " LAYOUT_NAMES, s);
	return 0;
}

void
printsumproblems(const struct sumproblems *p, int json)
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
