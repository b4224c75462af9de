/*
** check.h: what a transactional migration may contain (gen/check.c).
*/

/* A file wrapped as a whole in BEGIN; ... COMMIT; loses the pair: *first
** and *count narrow to its body. */
void unwrap(const struct stmt *s, size_t *first, size_t *count);

struct notxhint;        /* gen/layout.h: how the file's layout turns its transaction off */

/* Report, to d, transaction control and statements the database refuses
** or silently ignores inside a transaction among the n statements s of
** text (file path). */
void checktx(const char *path, const char *text, enum dialect dialect, const struct notxhint *hint,
             const struct stmt *s, size_t n, struct diags *d);

/* Whether each of the n statements s of text (at least one) is one that
** cannot run inside a transaction: Flyway then runs the file outside one. */
int allnotx(enum dialect dialect, const char *text, const struct stmt *s, size_t n);

/* Report, to d, what no migration may hold, transactional or not: a
** setting that makes the database read the SQL otherwise than migc split
** it (PostgreSQL), or that a database that exists ignores (SQLite). */
void checksettings(const char *path, const char *text, enum dialect dialect,
                   const struct stmt *s, size_t n, struct diags *d);

/* PostgreSQL: warn where a statement uses an enum value that an earlier
** ALTER TYPE ... ADD VALUE of the same transaction added. */
void checkenum(const char *path, const char *text, const struct notxhint *hint, const struct stmt *s, size_t n,
               struct diags *d);
