/*
** cmdlint.c: `migc lint --dialect D DIR [--json]`, the linter on its own
** (gen/lint.c), for CI and editors: the directory read as gen reads it,
** then each finding as file:line:col: warning: RULE: message, or, with
** --json, as one object in a JSON array; no C is generated.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "layout.h"
#include "load.h"
#include "json.h"
#include "lint.h"
#include "command.h"

const char lintusage[] =
	"usage: migc lint --dialect sqlite|postgres DIR [--json] [--strict] [--allow RULE[,RULE]]\n"
	"                 [--layout " LAYOUT_NAMES "]\n"
	"  Read DIR as migc gen does and report each statement that would hurt\n"
	"  production (a lock that blocks traffic, a table rewrite, a change that\n"
	"  breaks the running application) as file:line:col: warning: RULE: message.\n"
	"  --json    the findings as a JSON array of objects on standard output\n"
	"  --dir DIR the same as the DIR operand\n"
	"  --strict  make each finding an error (exit 2)\n"
	"  --allow   accept these rules in every file (-- migc:allow RULE in one file)\n"
	"exit status: 0 ok (warnings included), 2 bad input or, with --strict, a finding\n"
	"rules: " LINT_RULE_NAMES "\n";

int
cmdlint(int argc, char **argv)
{
	const char *dir = NULL;
	struct readopts o = {NULL, NULL, LAYOUT_MIGC, 0, 0};
	struct findings f = {NULL, 0, 0};
	struct migc_set *set;
	enum dialect dialect;
	int json = 0, rc, i;
	size_t k;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(lintusage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if ((rc = readoption(lintusage, argc, argv, &i, &o)) >= 0) {
			if (rc != 0)
				return rc;
		} else if (argv[i][0] == '-') {
			return usageerror(lintusage, "unknown option '%s'", argv[i]);
		} else if ((rc = diroption(lintusage, argv[i], &o.dir)) != 0) {
			return rc;
		}
	}
	dir = o.dir;
	if (!dir)
		return usageerror(lintusage, "lint needs a directory%s", "");
	if (!o.dialectarg)
		return usageerror(lintusage, "lint needs --dialect sqlite or postgres%s", "");
	if ((rc = dialectoption(lintusage, o.dialectarg, &dialect)) != 0)
		return rc;
	set = loaddir(dir, dialect, o.layout, o.strict);
	if (!set)
		return 2;
	if (!json) {
		rc = lintset(set, dir, dialect, o.allow, o.strict) ? 2 : 0;
		freeset(set);
		return rc;
	}
	lint(set, dir, dialect, o.allow, &f);
	putchar('[');
	for (k = 0; k < f.n; k++) {
		fputs(k ? ",{\"file\":" : "{\"file\":", stdout);
		migc__jsonstr(stdout, f.v[k].path);
		printf(",\"line\":%lu,\"column\":%lu,\"rule\":\"%s\",\"severity\":\"%s\",\"message\":", f.v[k].line,
		       f.v[k].col, f.v[k].rule, o.strict ? "error" : "warning");
		migc__jsonstr(stdout, f.v[k].message);
		putchar('}');
	}
	fputs("]\n", stdout);
	rc = o.strict && f.n ? 2 : 0;
	freefindings(&f);
	freeset(set);
	return rc;
}
