/*
** replay.h: run the migrations at build time on a scratch database, to
** catch SQL errors before release and to embed, per version, the schema
** fingerprint each migration should leave (gen/replay.c).
*/

/*
** Apply set on an in-memory SQLite database or, for PostgreSQL when url
** is not NULL, on a scratch database created through url and dropped
** after (without url a PostgreSQL set is not replayed). Sets
** set->migrations[i].schema. Returns 0, or -1 after printing the failure
** (as dir/file:line:col when a migration fails).
*/
int replay(struct migc_set *set, const char *dir, const char *url);
