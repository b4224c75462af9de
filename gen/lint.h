/*
** lint.h: the migration linter (gen/lint.c): statements that would hurt
** production (a lock that blocks traffic, a table rewrite, a change that
** breaks the running application), each finding named by its rule.
*/

/* One finding: dir/file:line:col: warning: RULE: message. */
struct finding {
	char *path;                     /* dir/file (malloc'd) */
	unsigned long line, col;
	const char *rule;
	char *message;                  /* malloc'd */
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

/* The bit of the rule named p[0..n), or 0 when there is no such rule. */
unsigned long lintrule(const char *p, size_t n);

/* The rule names, comma-separated: a literal for the help, and for messages. */
#define LINT_RULE_NAMES \
	"require-concurrent-index-creation, require-concurrent-index-deletion, adding-field-with-default, " \
	"changing-column-type, adding-serial-primary-key-field, adding-stored-generated-column, " \
	"adding-not-nullable-field, constraint-missing-not-valid, disallowed-unique-constraint, " \
	"adding-foreign-key-constraint, renaming-column, renaming-table, ban-drop-column, ban-drop-table, " \
	"ban-truncate-cascade, require-timeout-settings, prefer-bigint-over-int, prefer-timestamptz, " \
	"prefer-text-field, sqlite-drop-referenced-table, sqlite-rename-referenced-table, sqlite-pragma-leak"
extern const char lintrulenames[];

/*
** Set *bits from a comma-separated list of rule names s[0..n): 0, or -1
** with *bad and *nbad the first name that is no rule.
*/
int lintrules(const char *s, size_t n, unsigned long *bits, const char **bad, size_t *nbad);

/*
** Lint set (read from dir, of dialect) in version order: each up
** migration's statements against the rules, except those its file or
** allow accepts. Appends each finding to *out.
*/
void lint(const struct migc_set *set, const char *dir, enum dialect dialect, unsigned long allow,
          struct findings *out);

/* Report each finding on d as a warning (an error when d is strict). */
void lintreport(const struct findings *f, struct diags *d);

void freefindings(struct findings *f);
