/*
** complete_diff.h: compare scansql()'s SQLite statement boundaries with
** sqlite3_complete() (tests/unit/complete_diff.c).
*/

/* Why t[0..n) (t[n] == '\0') is split differently from what
** sqlite3_complete() implies, or NULL when it agrees. db is an open
** connection used to check that nothing but comments lies between
** statements. */
const char *completediff(struct sqlite3 *db, const char *t, size_t n);
