/*
** replay.h: run the migrations at build time on a scratch database, to
** catch SQL errors before release and to embed, per version, the schema
** fingerprint each migration should leave (gen/replay.c).
*/

/*
** Apply set on a temporary SQLite database or, for PostgreSQL when url
** is not NULL, on a scratch database created through url and dropped
** after (without url a PostgreSQL set is not replayed). Sets
** set->migrations[i].schema. Each down runs after its up and must
** restore the schema before it: a down that fails or does not, and a
** migration without one after others that have one (unless marked
** -- migc:irreversible), are printed as warnings, or errors when strict.
** Returns 0, or -1 after printing the failure (as dir/file:line:col when
** a migration fails) or, when strict, an error.
*/
int replay(struct migc_set *set, const char *dir, const char *url, int strict);
