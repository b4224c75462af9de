/*
** names.h: migration file names (gen/names.c): NNNN_name.sql and
** NNNN_name.down.sql, the version and the name they carry.
*/

/* Split a file name into version and name. Returns 0, or -1 with *why
** set to a static message. *isdown tells a .down.sql file. The name is
** name[0..*namelen). */
int parsefilename(const char *file, int64_t *version, const char **name,
                  size_t *namelen, int *isdown, const char **why);
