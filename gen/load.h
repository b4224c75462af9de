/*
** load.h: read a directory of numbered migration files into a
** struct migc_set, the same structure `migc gen` writes out as C and the
** developer tool runs directly (`migc up --dir DIR`).
*/

struct diags;           /* gen/diag.h; enum layout is gen/layout.h's */

/*
** Read every NNNN_name.sql / NNNN_name.down.sql in dir (layout
** LAYOUT_MIGC), or every NNNN_name.sql of a single-file layout (goose's,
** dbmate's, sql-migrate's: gen/layout.h) read as its tool reads it. Errors and
** warnings go to d, each naming path:line:col. Returns the set, to free
** with freeset(), or NULL when d->nerrors > 0.
*/
struct migc_set *loadset(const char *dir, enum dialect dialect, enum layout layout, struct diags *d);
void freeset(struct migc_set *set);
