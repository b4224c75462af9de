/*
** lint.c: the migration linter. Each up migration's statements, in
** version order, against rules for what hurts a database in production:
** a lock that blocks traffic while it waits or holds, a table rewrite, a
** change that breaks the application code still running (the PostgreSQL
** rule names follow squawk's where it has one). It reads tokens, as the
** checks do, not a grammar: a statement it does not recognise takes no
** finding. "An existing table" is one this migration did not create: the
** set's history is what earlier migrations created, renamed, referenced
** and validated, which a file-at-a-time linter cannot know.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "sqltok.h"
#include "text.h"
#include "directives.h"
#include "lint.h"

enum {
	R_CONCURRENT_INDEX = 0,
	R_CONCURRENT_DROP_INDEX,
	R_FIELD_WITH_DEFAULT,
	R_COLUMN_TYPE,
	R_SERIAL_PK,
	R_STORED_GENERATED,
	R_NOT_NULLABLE,
	R_MISSING_NOT_VALID,
	R_UNIQUE_CONSTRAINT,
	R_FOREIGN_KEY,
	R_RENAME_COLUMN,
	R_RENAME_TABLE,
	R_DROP_COLUMN,
	R_DROP_TABLE,
	R_TRUNCATE_CASCADE,
	R_TIMEOUT,
	R_BIGINT,
	R_TIMESTAMPTZ,
	R_TEXT,
	R_SQLITE_DROP_REFERENCED,
	R_SQLITE_RENAME_REFERENCED,
	R_SQLITE_PRAGMA,
	NRULES
};

static const char *const rulename[NRULES] = {
	"require-concurrent-index-creation",
	"require-concurrent-index-deletion",
	"adding-field-with-default",
	"changing-column-type",
	"adding-serial-primary-key-field",
	"adding-stored-generated-column",
	"adding-not-nullable-field",
	"constraint-missing-not-valid",
	"disallowed-unique-constraint",
	"adding-foreign-key-constraint",
	"renaming-column",
	"renaming-table",
	"ban-drop-column",
	"ban-drop-table",
	"ban-truncate-cascade",
	"require-timeout-settings",
	"prefer-bigint-over-int",
	"prefer-timestamptz",
	"prefer-text-field",
	"sqlite-drop-referenced-table",
	"sqlite-rename-referenced-table",
	"sqlite-pragma-leak",
};

const char lintrulenames[] = LINT_RULE_NAMES;

unsigned long
lintrule(const char *p, size_t n)
{
	int r;

	for (r = 0; r < NRULES; r++)
		if (strlen(rulename[r]) == n && memcmp(rulename[r], p, n) == 0)
			return 1UL << r;
	return 0;
}

int
lintrules(const char *s, size_t n, unsigned long *bits, const char **bad, size_t *nbad)
{
	size_t i = 0;

	while (i <= n) {
		size_t j = i, a, b;
		unsigned long bit;

		while (j < n && s[j] != ',')
			j++;
		for (a = i; a < j && (s[a] == ' ' || s[a] == '\t'); a++)
			;
		for (b = j; b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'); b--)
			;
		if ((bit = lintrule(s + a, b - a)) == 0) {
			*bad = s + a;
			*nbad = b - a;
			return -1;
		}
		*bits |= bit;
		i = j + 1;
	}
	return 0;
}

/* A set of names: tables, indexes, "table.column" keys. */
struct names {
	char **v;
	size_t n, cap;
};

static int
namesfind(const struct names *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return (int)i;
	return -1;
}

static void
namesadd(struct names *s, const char *name)
{
	if (namesfind(s, name) >= 0)
		return;
	s->v = xgrow(s->v, s->n, &s->cap, sizeof(*s->v));
	s->v[s->n++] = xstrdup(name);
}

static void
namesdel(struct names *s, const char *name)
{
	int i = namesfind(s, name);

	if (i < 0)
		return;
	free(s->v[i]);
	s->v[i] = s->v[--s->n];
}

static void
namesfree(struct names *s)
{
	while (s->n > 0)
		free(s->v[--s->n]);
	free(s->v);
	s->v = NULL;
	s->cap = 0;
}

/* A foreign key of the set's history: child references parent. */
struct ref {
	char *child, *parent;
};

struct lint {
	const struct migc_migration *mig;
	enum dialect dialect;
	char *path;
	const char *sql;                /* the up script's text */
	struct pgtok *t;                /* the statement's tokens */
	size_t n, cap;
	size_t at;                      /* the statement's offset in sql */
	unsigned long allow;            /* rules accepted for this file */
	int locked;                     /* a finding of R_TIMEOUT's kind was made in this file */
	struct names created, indexes;  /* made by this migration */
	struct names validated;         /* "table.column" with a validated CHECK (column IS NOT NULL) */
	struct names pending;           /* "constraint\ttable.column" of NOT VALID ones */
	struct ref *refs;               /* SQLite: the history's foreign keys */
	size_t nrefs, caprefs;
	struct findings *out;
};

static void
report(struct lint *l, size_t tok, int rule, const char *fmt, ...)
{
	struct finding *f;
	struct buf b = {0};
	unsigned long line = 1, col = 1;
	size_t off = l->t[tok].p - l->sql;
	va_list ap;

	if (l->allow & (1UL << rule))
		return;
	migc__place(l->sql, 0, off, 0, &line, &col);
	va_start(ap, fmt);
	bufvprintf(&b, fmt, ap);
	va_end(ap);
	l->out->v = xgrow(l->out->v, l->out->n, &l->out->cap, sizeof(*l->out->v));
	f = &l->out->v[l->out->n++];
	f->path = xstrdup(l->path);
	f->line = line;
	f->col = col;
	f->rule = rulename[rule];
	f->message = b.data ? b.data : xstrdup("");
}

/* Is token i the word w? (false past the end) */
static int
is(const struct lint *l, size_t i, const char *w)
{
	return i < l->n && tokis(&l->t[i], w);
}

/* The name at token *i, possibly qualified (a.b): its last part, quotes
** taken off and in lower case unless quoted on PostgreSQL (SQLite's names
** are alike in any case, quoted or not), into out; *i moves past it. At
** the statement's end (or its ';') out is empty and *i stays. */
static void
readname(const struct lint *l, size_t *i, char *out, size_t cap)
{
	size_t k = *i, j, n = 0;
	const struct pgtok *t;

	out[0] = '\0';
	if (k >= l->n || tokis(&l->t[k], ";"))
		return;
	while (k + 2 < l->n && tokis(&l->t[k + 1], "."))
		k += 2;
	t = &l->t[k];
	*i = k + 1;
	if (t->n >= 2 && (t->p[0] == '"' || t->p[0] == '`' || t->p[0] == '[')) {
		for (j = 1; j + 1 < t->n && n + 1 < cap; j++) {
			out[n++] = t->p[j];
			if (t->p[j] == '"' && t->p[j + 1] == '"')
				j++;
		}
	} else {
		for (j = 0; j < t->n && n + 1 < cap; j++)
			out[n++] = t->p[j] >= 'A' && t->p[j] <= 'Z' ? t->p[j] - 'A' + 'a' : t->p[j];
	}
	out[n] = '\0';
	if (l->dialect == DIALECT_SQLITE)
		for (j = 0; j < n; j++)
			out[j] = out[j] >= 'A' && out[j] <= 'Z' ? out[j] - 'A' + 'a' : out[j];
}

/* Skip IF [NOT] EXISTS at *i. */
static void
skipifexists(const struct lint *l, size_t *i)
{
	if (is(l, *i, "if") && is(l, *i + 1, "not") && is(l, *i + 2, "exists"))
		*i += 3;
	else if (is(l, *i, "if") && is(l, *i + 1, "exists"))
		*i += 2;
}

/* The end of the item starting at token i: the next ',' or ')' outside
** parentheses (or the end). */
static size_t
itemend(const struct lint *l, size_t i)
{
	int depth = 0;

	for (; i < l->n; i++) {
		if (tokis(&l->t[i], "("))
			depth++;
		else if (tokis(&l->t[i], ")") && depth-- == 0)
			break;
		else if (depth == 0 && (tokis(&l->t[i], ",") || tokis(&l->t[i], ";")))
			break;
	}
	return i;
}

/* Is the word w among tokens [a, b) at parenthesis depth 0? Its index, or b. */
static size_t
findword(const struct lint *l, size_t a, size_t b, const char *w)
{
	int depth = 0;

	for (; a < b; a++) {
		if (tokis(&l->t[a], "("))
			depth++;
		else if (tokis(&l->t[a], ")"))
			depth--;
		else if (depth == 0 && tokis(&l->t[a], w))
			return a;
	}
	return b;
}

/* Is the pair of words "w v" among tokens [a, b) at parenthesis depth 0?
** The index of w, or b. */
static size_t
findpair(const struct lint *l, size_t a, size_t b, const char *w, const char *v)
{
	for (; (a = findword(l, a, b, w)) < b; a++)
		if (a + 1 < b && tokis(&l->t[a + 1], v))
			return a;
	return b;
}

/* Words that end a column's DEFAULT expression: the next constraint. */
static const char *const constraintwords[] = {
	"not", "null", "check", "references", "constraint", "primary", "unique", "generated", "collate",
	"deferrable", "initially", NULL
};

/* The end of the DEFAULT expression starting at token i, before end. */
static size_t
defaultend(const struct lint *l, size_t i, size_t end)
{
	size_t e = end, k;
	int w;

	for (w = 0; constraintwords[w]; w++)
		if ((k = findword(l, i, end, constraintwords[w])) < e)
			e = k;
	return e;
}

static int
existing(const struct lint *l, const char *table)
{
	return namesfind(&l->created, table) < 0;
}

/* Functions a DEFAULT may call without rewriting the table (stable or
** immutable; PostgreSQL 11 stores their value once). */
static const char *const stablefns[] = {
	"now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime",
	"transaction_timestamp", "statement_timestamp", "current_user", "session_user", "current_setting",
	"lower", "upper", "coalesce", "to_jsonb", "to_json", "jsonb_build_object", "json_build_object",
	"array", "interval", "timestamptz", "timestamp", "date", "make_interval", "make_date", NULL
};

static int
stablefn(const struct pgtok *k)
{
	int i;

	for (i = 0; stablefns[i]; i++)
		if (tokis(k, stablefns[i]))
			return 1;
	return 0;
}

/* The rules about the type at token i (PostgreSQL's: a SQLite INTEGER
** PRIMARY KEY is the 64-bit rowid, and its types take any value). */
static void
typerules(struct lint *l, size_t i, size_t end, int newpk)
{
	if (l->dialect != DIALECT_POSTGRES)
		return;
	if (is(l, i, "timestamp") && !(is(l, i + 1, "with") || (is(l, i + 1, "(") && is(l, i + 3, ")") &&
	                                                         is(l, i + 4, "with"))))
		report(l, i, R_TIMESTAMPTZ, "timestamp without time zone stores the wall-clock time of the session's "
		       "time zone: use timestamptz");
	if ((is(l, i, "varchar") && is(l, i + 1, "(")) ||
	    (is(l, i, "character") && is(l, i + 1, "varying") && is(l, i + 2, "(")))
		report(l, i, R_TEXT, "a varchar length limit can only change under an ACCESS EXCLUSIVE lock: use text "
		       "(with a CHECK on length, NOT VALID then validated, if the limit matters)");
	if (newpk && i < end && (is(l, i, "int") || is(l, i, "integer") || is(l, i, "int4") || is(l, i, "int2") ||
	                         is(l, i, "smallint") || is(l, i, "serial") || is(l, i, "serial4") ||
	                         is(l, i, "smallserial") || is(l, i, "serial2")))
		report(l, i, R_BIGINT, "a primary key of type %.*s runs out at 2^31 rows (or 2^15) and widening it rewrites "
		       "the table: use bigint (bigserial, or bigint GENERATED ALWAYS AS IDENTITY)",
		       (int)l->t[i].n, l->t[i].p);
}

/* A column definition at tokens [i, end) (its name at i) of table, added
** to an existing table when added is set. */
static void
columndef(struct lint *l, size_t i, size_t end, const char *table, int added)
{
	size_t name = i, type, d, j;
	int pk = findword(l, i, end, "primary") < end;
	char col[128];

	readname(l, &i, col, sizeof(col));
	type = i;
	typerules(l, type, end, pk);
	if (!added)
		return;
	if (is(l, type, "serial") || is(l, type, "bigserial") || is(l, type, "smallserial") || is(l, type, "serial2") ||
	    is(l, type, "serial4") || is(l, type, "serial8") || pk)
		report(l, name, R_SERIAL_PK, "adding a %s column rewrites %s (or builds its index) under an ACCESS "
		       "EXCLUSIVE lock: add a nullable column, fill it in batches, then add the key USING INDEX of an "
		       "index built CONCURRENTLY", pk ? "primary key" : "serial", table);
	if ((j = findword(l, i, end, "generated")) < end && findword(l, j, end, "stored") < end)
		report(l, j, R_STORED_GENERATED, "a stored generated column rewrites %s under an ACCESS EXCLUSIVE lock: "
		       "add a plain column and fill it in batches (a trigger keeps it current)", table);
	d = findword(l, i, end, "default");
	/* A call in the DEFAULT expression, but not a type's modifiers
	** (::numeric(10,2), CAST(x AS numeric(4,2))) nor CAST itself. */
	for (j = d + 1; d < end && j < defaultend(l, d + 1, end); j++)
		if (is(l, j + 1, "(") && !stablefn(&l->t[j]) && !is(l, j, "cast") && !is(l, j - 1, ":") &&
		    !is(l, j - 1, "as") && l->t[j].p[0] != '(' && l->t[j].p[0] != '\'') {
			report(l, j, R_FIELD_WITH_DEFAULT, "a volatile DEFAULT (%.*s()) rewrites %s under an ACCESS "
			       "EXCLUSIVE lock: add the column without it, set the default, and fill the rows in batches",
			       (int)l->t[j].n, l->t[j].p, table);
			break;
		}
	if ((j = findpair(l, i, end, "not", "null")) < end && d == end)
		report(l, j, R_NOT_NULLABLE, "a NOT NULL column without a DEFAULT fails on any row of %s: add it "
		       "nullable (or with a DEFAULT), fill it, then add a CHECK (%s IS NOT NULL) NOT VALID, validate it "
		       "and SET NOT NULL", table, col);
	if ((j = findword(l, i, end, "references")) < end)
		report(l, j, R_FOREIGN_KEY, "a REFERENCES column locks %s and the table it references while every row "
		       "is checked: add the column, then the FOREIGN KEY NOT VALID, then VALIDATE CONSTRAINT",
		       table);
}

/* SQLite: the foreign key a column or table constraint at tokens
** [a, end) of table declares, if any. */
static void
addref(struct lint *l, const char *table, size_t a, size_t end)
{
	char parent[128];
	size_t j;

	if (l->dialect != DIALECT_SQLITE || (j = findword(l, a, end, "references")) == end)
		return;
	j++;
	readname(l, &j, parent, sizeof(parent));
	if (strcmp(parent, table) == 0)
		return;
	l->refs = xgrow(l->refs, l->nrefs, &l->caprefs, sizeof(*l->refs));
	l->refs[l->nrefs].child = xstrdup(table);
	l->refs[l->nrefs++].parent = xstrdup(parent);
}

/* CREATE TABLE name (...) at token i (past TABLE): remember it, and the
** rules about new columns; SQLite: the foreign keys it declares. */
static void
createtable(struct lint *l, size_t i)
{
	char table[128], col[128];
	size_t a, end;

	skipifexists(l, &i);
	readname(l, &i, table, sizeof(table));
	namesadd(&l->created, table);
	if (!is(l, i, "("))
		return;
	for (a = i + 1; a < l->n && !is(l, a, ")"); a = end + 1) {
		end = itemend(l, a);
		if (is(l, a, "constraint"))
			a += 2;
		if (is(l, a, "primary") && is(l, a + 1, "key") && is(l, a + 2, "(") && is(l, a + 4, ")")) {
			/* PRIMARY KEY (c): the rule looks at c's type. */
			size_t k, c = a + 3;

			readname(l, &c, col, sizeof(col));
			for (k = i + 1; k < a; k = itemend(l, k) + 1) {
				size_t m = k;
				char name[128];

				readname(l, &m, name, sizeof(name));
				if (strcmp(name, col) == 0)
					typerules(l, m, itemend(l, k), 1);
			}
		} else if (!is(l, a, "unique") && !is(l, a, "check") && !is(l, a, "foreign") && !is(l, a, "exclude") &&
		           !is(l, a, "primary") && !is(l, a, "like")) {
			columndef(l, a, end, table, 0);
		}
		addref(l, table, a, end);
		if (end >= l->n || is(l, end, ")"))
			break;
	}
}

/* SQLite: the tables that reference table, "a, b", into b; how many. */
static size_t
referrers(const struct lint *l, const char *table, struct buf *b)
{
	size_t i, n = 0;

	for (i = 0; i < l->nrefs; i++)
		if (strcmp(l->refs[i].parent, table) == 0) {
			bufprintf(b, "%s%s", n ? ", " : "", l->refs[i].child);
			n++;
		}
	return n;
}

/* SQLite: forget table's foreign keys, or follow its new name. */
static void
refsrename(struct lint *l, const char *from, const char *to)
{
	size_t i;

	for (i = 0; i < l->nrefs;) {
		struct ref *r = &l->refs[i];

		if (!to && strcmp(r->child, from) == 0) {
			free(r->child);
			free(r->parent);
			*r = l->refs[--l->nrefs];
			continue;
		}
		if (to && strcmp(r->child, from) == 0) {
			free(r->child);
			r->child = xstrdup(to);
		}
		if (to && strcmp(r->parent, from) == 0) {
			free(r->parent);
			r->parent = xstrdup(to);
		}
		i++;
	}
}

/* An action of ALTER TABLE table at tokens [a, end). */
static void
alteraction(struct lint *l, const char *table, size_t a, size_t end)
{
	char col[128], key[3 * 128 + 2], name[128];   /* key: "name\ttable.col" */
	size_t j;

	if (is(l, a, "add")) {
		a++;
		if (is(l, a, "constraint")) {
			a++;
			readname(l, &a, name, sizeof(name));
		} else {
			name[0] = '\0';
		}
		if (is(l, a, "check") || is(l, a, "foreign")) {
			int notvalid = findpair(l, a, end, "not", "valid") < end;

			if (!notvalid)
				report(l, a, R_MISSING_NOT_VALID, "ADD %s checks every row of %s under a lock that blocks "
				       "writes: add it NOT VALID, then VALIDATE CONSTRAINT in another migration",
				       is(l, a, "check") ? "CHECK" : "FOREIGN KEY", table);
			/* CHECK (c IS NOT NULL): what SET NOT NULL needs, once validated. */
			if (is(l, a, "check") && is(l, a + 1, "(") && is(l, a + 3, "is") && is(l, a + 4, "not") &&
			    is(l, a + 5, "null") && is(l, a + 6, ")")) {
				j = a + 2;
				readname(l, &j, col, sizeof(col));
				snprintf(key, sizeof(key), "%s.%s", table, col);
				if (!notvalid)
					namesadd(&l->validated, key);
				else if (name[0]) {
					snprintf(key, sizeof(key), "%s\t%s.%s", name, table, col);
					namesadd(&l->pending, key);
				}
			}
		} else if (is(l, a, "unique") || is(l, a, "primary")) {
			if (findword(l, a, end, "using") == end)
				report(l, a, R_UNIQUE_CONSTRAINT, "ADD %s builds its index under an ACCESS EXCLUSIVE lock on "
				       "%s: build a unique index CONCURRENTLY first, then ADD ... %s USING INDEX",
				       is(l, a, "unique") ? "UNIQUE" : "PRIMARY KEY", table,
				       is(l, a, "unique") ? "UNIQUE" : "PRIMARY KEY");
		} else if (!is(l, a, "exclude")) {
			if (is(l, a, "column"))
				a++;
			skipifexists(l, &a);
			columndef(l, a, end, table, 1);
		}
	} else if (is(l, a, "alter")) {
		a++;
		if (is(l, a, "column"))
			a++;
		readname(l, &a, col, sizeof(col));
		if (is(l, a, "type") || (is(l, a, "set") && is(l, a + 1, "data") && is(l, a + 2, "type"))) {
			j = is(l, a, "type") ? a + 1 : a + 3;
			report(l, a, R_COLUMN_TYPE, "changing the type of %s.%s rewrites the table (and its indexes) under "
			       "an ACCESS EXCLUSIVE lock: add a new column, fill it, and switch the application over",
			       table, col);
			typerules(l, j, end, 0);
		} else if (is(l, a, "set") && is(l, a + 1, "not") && is(l, a + 2, "null")) {
			snprintf(key, sizeof(key), "%s.%s", table, col);
			if (namesfind(&l->validated, key) < 0)
				report(l, a, R_NOT_NULLABLE, "SET NOT NULL scans all of %s under an ACCESS EXCLUSIVE lock: "
				       "first ADD CONSTRAINT ... CHECK (%s IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT it "
				       "(PostgreSQL 12 then skips the scan)", table, col);
		}
	} else if (is(l, a, "drop")) {
		a++;
		if (is(l, a, "constraint"))
			return;
		if (is(l, a, "column"))
			a++;
		skipifexists(l, &a);
		readname(l, &a, col, sizeof(col));
		report(l, a - 1, R_DROP_COLUMN, "dropping %s.%s breaks the application code still running that reads "
		       "it: stop using the column in a release first, then drop it", table, col);
	} else if (is(l, a, "validate") && is(l, a + 1, "constraint")) {
		size_t i, k;

		j = a + 2;
		readname(l, &j, name, sizeof(name));
		k = strlen(name);
		for (i = 0; i < l->pending.n; i++)
			if (strncmp(l->pending.v[i], name, k) == 0 && l->pending.v[i][k] == '\t')
				namesadd(&l->validated, l->pending.v[i] + k + 1);
	}
}

/* ALTER TABLE at token i (past TABLE). */
static void
altertable(struct lint *l, size_t i)
{
	char table[128], to[128], col[128];
	struct buf b = {0};
	size_t a, end, first;

	skipifexists(l, &i);
	if (is(l, i, "only"))
		i++;
	first = i;
	readname(l, &i, table, sizeof(table));
	if (is(l, i, "*"))
		i++;
	if (is(l, i, "rename")) {
		if (is(l, i + 1, "to")) {
			a = i + 2;
			readname(l, &a, to, sizeof(to));
			if (l->dialect == DIALECT_SQLITE && referrers(l, table, &b) > 0)
				report(l, first, R_SQLITE_RENAME_REFERENCED, "renaming %s makes the foreign keys of %s "
				       "reference %s (SQLite rewrites them): to rebuild %s, create the new table under another "
				       "name, copy, drop %s and rename the new one", table, b.data, to, table, table);
			else if (l->dialect == DIALECT_POSTGRES && existing(l, table))
				report(l, i, R_RENAME_TABLE, "renaming %s breaks the application code still running that uses "
				       "the old name: add a view under the old name for one release, or copy and switch over",
				       table);
			if (!existing(l, table))
				namesadd(&l->created, to);
			refsrename(l, table, to);
			buffree(&b);
		} else if (!is(l, i + 1, "constraint") && l->dialect == DIALECT_POSTGRES && existing(l, table)) {
			a = i + 1;
			if (is(l, a, "column"))
				a++;
			readname(l, &a, col, sizeof(col));
			report(l, i, R_RENAME_COLUMN, "renaming %s.%s breaks the application code still running that uses "
			       "the old name: add the new column, write both, then drop the old one in a later release",
			       table, col);
		}
		return;
	}
	if (l->dialect == DIALECT_SQLITE && is(l, i, "add"))
		addref(l, table, i, l->n);
	if (l->dialect != DIALECT_POSTGRES)
		return;
	if (!existing(l, table)) {
		/* A table made in this migration: only the rules about types. */
		for (a = i; a < l->n; a = end + 1) {
			end = itemend(l, a);
			if (is(l, a, "add") && !is(l, a + 1, "constraint") && !is(l, a + 1, "check") &&
			    !is(l, a + 1, "unique") && !is(l, a + 1, "primary") && !is(l, a + 1, "foreign")) {
				size_t c = is(l, a + 1, "column") ? a + 2 : a + 1;

				skipifexists(l, &c);
				columndef(l, c, end, table, 0);
			}
			if (end >= l->n)
				break;
		}
		return;
	}
	for (a = i; a < l->n; a = end + 1) {
		end = itemend(l, a);
		alteraction(l, table, a, end);
		if (end >= l->n)
			break;
	}
}

/* Does the file bound its lock waits? (-- migc:lock-timeout, even off) */
static void
lockwait(struct lint *l, size_t tok, const char *what)
{
	if (l->locked || l->mig->up.lock_timeout_ms != 0)
		return;
	l->locked = 1;
	report(l, tok, R_TIMEOUT, "%s waits for its lock behind any open transaction, and every query on the table "
	       "queues behind it: bound the wait with -- migc:lock-timeout DURATION in this file (a run with "
	       "--ddl-lock-timeout bounds it too: then build with --allow require-timeout-settings)", what);
}

/* One statement of l->mig's up script, tokens in l->t. */
static void
statement(struct lint *l)
{
	char name[128];
	struct buf b = {0};
	size_t i = 1;

	if (l->n == 0)
		return;
	if (is(l, 0, "create")) {
		if (is(l, i, "or") && is(l, i + 1, "replace"))
			i += 2;
		while (is(l, i, "temp") || is(l, i, "temporary") || is(l, i, "unlogged") || is(l, i, "global") ||
		       is(l, i, "local") || is(l, i, "virtual"))
			i++;
		if (is(l, i, "unique"))
			i++;
		if (is(l, i, "table")) {
			createtable(l, i + 1);
		} else if (is(l, i, "materialized") && is(l, i + 1, "view")) {
			i += 2;
			skipifexists(l, &i);
			readname(l, &i, name, sizeof(name));
			namesadd(&l->created, name);
		} else if (is(l, i, "index")) {
			int concurrently = is(l, ++i, "concurrently");

			i += concurrently;
			skipifexists(l, &i);
			if (!is(l, i, "on")) {
				readname(l, &i, name, sizeof(name));
				namesadd(&l->indexes, name);
			}
			if (!is(l, i, "on"))
				return;
			/* ON ONLY a partitioned table: an index on the parent alone, no build. */
			if (is(l, ++i, "only"))
				return;
			readname(l, &i, name, sizeof(name));
			if (l->dialect == DIALECT_POSTGRES && !concurrently && existing(l, name)) {
				report(l, 0, R_CONCURRENT_INDEX, "CREATE INDEX on %s blocks its writes (a SHARE lock) until the "
				       "index is built: use CREATE INDEX CONCURRENTLY, in a -- migc:no-transaction migration",
				       name);
				lockwait(l, 0, "CREATE INDEX");
			}
		}
	} else if (is(l, 0, "drop") && is(l, 1, "index") && l->dialect == DIALECT_POSTGRES) {
		int concurrently = is(l, 2, "concurrently");

		i = 2 + concurrently;
		skipifexists(l, &i);
		for (;;) {
			readname(l, &i, name, sizeof(name));
			if (!concurrently && namesfind(&l->indexes, name) < 0) {
				report(l, 0, R_CONCURRENT_DROP_INDEX, "DROP INDEX %s takes an ACCESS EXCLUSIVE lock on its "
				       "table: use DROP INDEX CONCURRENTLY, in a -- migc:no-transaction migration", name);
				lockwait(l, 0, "DROP INDEX");
			}
			if (!is(l, i, ","))
				break;
			i++;
		}
	} else if (is(l, 0, "drop") && is(l, 1, "table")) {
		i = 2;
		skipifexists(l, &i);
		for (;;) {
			size_t at = i;

			if (i >= l->n || is(l, i, ";"))
				break;
			readname(l, &i, name, sizeof(name));
			if (l->dialect == DIALECT_POSTGRES && existing(l, name))
				report(l, at, R_DROP_TABLE, "dropping %s breaks the application code still running that uses "
				       "it: stop using the table in a release first, then drop it", name);
			if (l->dialect == DIALECT_SQLITE && (l->mig->up.flags & (MIGC_NO_TRANSACTION | MIGC_FOREIGN_KEYS_ON)) &&
			    referrers(l, name, &b) > 0)
				report(l, at, R_SQLITE_DROP_REFERENCED, "DROP TABLE %s with foreign keys enforced (%s) deletes "
				       "the rows of %s that reference it (or fails): drop it in a transactional migration, "
				       "where migc turns enforcement off and runs PRAGMA foreign_key_check before COMMIT",
				       name, (l->mig->up.flags & MIGC_NO_TRANSACTION) ? "a no-transaction migration" :
				       "-- migc:foreign-keys-on", b.data);
			buffree(&b);
			namesdel(&l->created, name);
			refsrename(l, name, NULL);
			if (!is(l, i, ","))
				break;
			i++;
		}
	} else if (is(l, 0, "alter") && is(l, 1, "table")) {
		altertable(l, 2);
		i = 2;
		skipifexists(l, &i);
		if (is(l, i, "only"))
			i++;
		readname(l, &i, name, sizeof(name));
		if (l->dialect == DIALECT_POSTGRES && existing(l, name))
			lockwait(l, 0, "ALTER TABLE");
	} else if (is(l, 0, "truncate") && l->dialect == DIALECT_POSTGRES) {
		if (findword(l, 1, l->n, "cascade") < l->n)
			report(l, findword(l, 1, l->n, "cascade"), R_TRUNCATE_CASCADE, "TRUNCATE ... CASCADE empties "
			       "every table that references these too, however far: name each table to empty");
	} else if (is(l, 0, "pragma") && l->dialect == DIALECT_SQLITE && (l->mig->up.flags & MIGC_NO_TRANSACTION)) {
		static const char *const kept[] = { "journal_mode", "auto_vacuum", "page_size", "application_id",
		                                    "user_version", "schema_version", NULL };
		int k;

		i = 1;
		readname(l, &i, name, sizeof(name));
		for (k = 0; kept[k]; k++)
			if (strcmp(name, kept[k]) == 0 && (is(l, i, "=") || is(l, i, "(")))
				report(l, 1, R_SQLITE_PRAGMA, "PRAGMA %s stays with the database after this migration: every "
				       "connection of the application runs with it (migc puts back only the connection's "
				       "own settings)", name);
	}
}

/* Does the statement at sql[off..off+len) start with a word that
** statement() reads further? (An INSERT of a large backfill need not be
** tokenized to the end to learn that no rule is about it.) */
static int
readfurther(const char *sql, size_t off, size_t len)
{
	static const char *const lead[] = { "create", "drop", "alter", "truncate", "pragma", NULL };
	struct pgtok k;
	size_t i = off;
	int w;

	pgnext(sql, &i, off + len, &k);
	for (w = 0; lead[w]; w++)
		if (tokis(&k, lead[w]))
			return 1;
	return 0;
}

/* The tokens of the statement at sql[off..off+len) into l->t. */
static void
tokenize(struct lint *l, size_t off, size_t len)
{
	size_t i = off;
	struct pgtok k;

	l->n = 0;
	l->at = off;
	for (pgnext(l->sql, &i, off + len, &k); k.p; pgnext(l->sql, &i, off + len, &k)) {
		l->t = xgrow(l->t, l->n, &l->cap, sizeof(*l->t));
		l->t[l->n++] = k;
	}
}

void
lint(const struct migc_set *set, const char *dir, enum dialect dialect, unsigned long allow, struct findings *out)
{
	struct lint l;
	unsigned long i, j;

	memset(&l, 0, sizeof(l));
	l.dialect = dialect;
	l.out = out;
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *mig = &set->migrations[i];
		struct directives dv = DIRECTIVES_NONE;

		/* The file's -- migc:allow. */
		scriptdirectives(&mig->up, dialect, &dv);
		l.allow = allow | dv.allow;
		freedirectives(&dv);
		l.mig = mig;
		l.sql = mig->up.sql;
		l.path = joinpath(dir, mig->up.file);
		l.locked = 0;
		for (j = 0; j < mig->up.nstmts; j++) {
			if (!readfurther(l.sql, mig->up.stmts[j].offset, mig->up.stmts[j].length))
				continue;
			tokenize(&l, mig->up.stmts[j].offset, mig->up.stmts[j].length);
			statement(&l);
		}
		free(l.path);
		namesfree(&l.created);
		namesfree(&l.indexes);
	}
	for (i = 0; i < l.nrefs; i++) {
		free(l.refs[i].child);
		free(l.refs[i].parent);
	}
	free(l.refs);
	namesfree(&l.validated);
	namesfree(&l.pending);
	free(l.t);
}

void
lintreport(const struct findings *f, struct diags *d)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		diagwarn(d, f->v[i].path, f->v[i].line, f->v[i].col, "%s: %s", f->v[i].rule, f->v[i].message);
}

void
freefindings(struct findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].message);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}
