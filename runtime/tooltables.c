/*
** tooltables.c: the tables migc leaves out of the schema it fingerprints
** and compares (verify --schema) besides its own tracking table: the
** tracking tables other migration tools keep (a database adopted from one
** still holds it), and those the application names with
** migc_set_ignore_tables, as comma-separated patterns where '*' is any
** run of characters and '?' one.
*/
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "text.h"

const char *const migc__tooltables[] = {
	"goose_db_version", "schema_migrations", "_sqlx_migrations", "gorp_migrations", "flyway_schema_history",
	"refinery_schema_history", NULL
};

static int
patternchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '*' ||
	       c == '?';
}

int
migc_set_ignore_tables(migc *m, const char *patterns)
{
	int rc = migc__checkhandle(m, 0);
	size_t i, n;

	if (rc != MIGC_OK)
		return rc;
	if (!patterns)
		patterns = "";
	n = strlen(patterns);
	if (n >= sizeof(m->ignore))
		return migc__seterr(m, MIGC_INPUT, "tables to ignore (migc_set_ignore_tables): at most %u bytes",
		                    (unsigned)sizeof(m->ignore) - 1);
	for (i = 0; i < n; i++) {
		int c = (unsigned char)patterns[i];

		if (c == ',' ? i == 0 || i == n - 1 || patterns[i - 1] == ',' : !patternchar(c))
			return migc__seterr(m, MIGC_INPUT, "tables to ignore (migc_set_ignore_tables): '%s' is not a list of "
			                    "table names separated by commas, each of letters, digits, '_' and the wildcards * "
			                    "and ?", patterns);
	}
	memcpy(m->ignore, patterns, n + 1);
	return MIGC_OK;
}

/* Does s[0..n) match the pattern p[0..pn)? After a '*', a mismatch
** goes back to just after it, one character further into s. */
static int
glob(const char *p, size_t pn, const char *s, size_t n)
{
	size_t i = 0, j = 0, star = pn, back = 0;

	while (j < n) {
		if (i < pn && p[i] == '*') {
			star = i++;
			back = j;
		} else if (i < pn && (p[i] == '?' || p[i] == s[j])) {
			i++;
			j++;
		} else if (star < pn) {
			i = star + 1;
			j = ++back;
		} else {
			return 0;
		}
	}
	while (i < pn && p[i] == '*')
		i++;
	return i == pn;
}

int
migc__ignoredtable(const migc *m, const char *name)
{
	const char *p = m->ignore;

	while (*p) {
		size_t k = strcspn(p, ",");

		if (glob(p, k, name, strlen(name)))
			return 1;
		p += k + (p[k] == ',');
	}
	return 0;
}

/*
** An SQL condition, true for the tables to leave out, on column col:
** col IN (the tools' tables, and TABLE_repeatable) OR col GLOB/LIKE each pattern (postgres:
** LIKE, '*' and '?' as '%' and '_', the others escaped). The tools' names
** and the patterns hold no quote (migc_set_ignore_tables checks); one in
** the tracking table's name is doubled. malloc'd; NULL
** when out of memory.
*/
char *
migc__ignoresql(const migc *m, int postgres, const char *col)
{
	struct migc__text t = { NULL, 0, 0, 0 };
	const char *p = m->ignore;
	size_t i;

	if (m->schemarules == 1)
		return migc__strdup("1 = 0");   /* the rules of an s1: fingerprint: nothing more left out */
	migc__textputs(&t, col);
	migc__textputs(&t, " IN (");
	for (i = 0; migc__tooltables[i]; i++) {
		migc__textputs(&t, i ? ", '" : "'");
		migc__textputs(&t, migc__tooltables[i]);
		migc__textputs(&t, "'");
	}
	/* migc's own table of repeatable migrations, as the tracking table. */
	migc__textputs(&t, ", '");
	for (p = m->table; *p; p++)
		migc__textadd(&t, *p == '\'' ? "''" : p, *p == '\'' ? 2 : 1);
	migc__textputs(&t, "_repeatable')");
	p = m->ignore;
	while (*p) {
		size_t k = strcspn(p, ",");

		migc__textputs(&t, " OR ");
		migc__textputs(&t, col);
		migc__textputs(&t, postgres ? " LIKE '" : " GLOB '");
		for (i = 0; i < k; i++) {
			char c = p[i];

			if (postgres && (c == '*' || c == '?'))
				migc__textputs(&t, c == '*' ? "%" : "_");
			else if (postgres && c == '_')
				migc__textputs(&t, "\\_");
			else
				migc__textadd(&t, &c, 1);
		}
		migc__textputs(&t, postgres ? "' ESCAPE '\\'" : "'");
		p += k + (p[k] == ',');
	}
	if (t.nomem) {
		free(t.s);
		return NULL;
	}
	return t.s;
}
