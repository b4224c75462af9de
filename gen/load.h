/*
** load.h: read a directory of numbered migration files into a
** struct migc_set, the same structure `migc gen` writes out as C and the
** developer tool runs directly (`migc up --dir DIR`).
*/

/*
** Read every NNNN_name.sql / NNNN_name.down.sql in dir. Errors and
** warnings go to d, each naming path:line:col. Returns the set, to free
** with freeset(), or NULL when d->nerrors > 0.
*/
struct migc_set *loadset(const char *dir, enum dialect dialect, struct diags *d);
void freeset(struct migc_set *set);

/* Split a file name into version and name. Returns 0, or -1 with *why
** set to a static message. *isdown tells a .down.sql file. The name is
** name[0..*namelen). */
int parsefilename(const char *file, int64_t *version, const char **name,
                  size_t *namelen, int *isdown, const char **why);

/* The canonical bytes of a migration file: a leading UTF-8 BOM removed,
** CRLF and lone CR turned into LF. Returns a malloc'd, NUL-terminated
** copy and its length in *outlen. */
char *canonicalize(const char *raw, size_t len, size_t *outlen);
