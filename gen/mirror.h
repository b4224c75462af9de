/*
** mirror.h: the SQLite replay's schema kept object by object (gen/mirror.c),
** so that each version's "s3:" fingerprint costs what the migration
** touched, not a read of the whole schema. Include after sqlite3.h,
** migc.h and digest.h.
*/

struct mirror;

/* A mirror of db's schema, empty until the first mirrorsync; it watches
** db's statements (an authorizer) from now on. */
struct mirror *mirrornew(sqlite3 *db);

/* Stop watching db and free x (NULL is fine). */
void mirrorfree(struct mirror *x);

/* Read again what the statements since the last sync touched (everything,
** the first time and after mirrorforget): MIGC_OK, or the code of a
** failure to read the schema, whose message is on m. */
int mirrorsync(struct mirror *x, migc *m);

/* The next sync reads the whole schema (after the database was made again). */
void mirrorforget(struct mirror *x);

/* The sum of the schema's lines as of the last sync. */
void mirrorsum(const struct mirror *x, struct migc__linesum *out);
