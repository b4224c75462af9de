/*
** foreign.h: which other migration tool wrote a file (gen/foreign.c).
** In migc's own layout load.c asks these first and refuses such a file,
** naming the tool, the files to convert to and, for goose, --layout goose.
*/

/* When file (at path), one of the n .sql names of its directory sorted by
** strcmp, is named after another tool's layout (golang-migrate and sqlx
** NNNN_name.up.sql and its .down.sql half; Flyway V1__name.sql,
** U1__name.sql, R__name.sql; refinery V1__ and U1__), report it on d and
** return 1; else return 0. With pairs, NNNN_name.up.sql names are the
** layout's own (golang-migrate's or sqlx's) and not reported. */
int foreignname(const char *path, const char *file, char *const *names, size_t n, int pairs,
                struct diags *d);

/* When text[0..len), the canonical bytes of file (at path), has another
** tool's section markers on a comment line (goose, dbmate, sql-migrate),
** or starts with sqlx's "-- no-transaction" and sqlx is not the layout
** (not sqlx), report it on d at the first one and return 1; else 0. */
int foreigntext(const char *path, const char *file, const char *text, size_t len, int sqlx,
                struct diags *d);
