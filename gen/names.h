/*
** names.h: migration file names (gen/names.c): NNNN_name.sql and
** NNNN_name.down.sql, the version and the name they carry.
*/

/* Split a file name into version and name. Returns 0, or -1 with *why
** set to a static message. *isdown tells a .down.sql file. The name is
** name[0..*namelen). */
int parsefilename(const char *file, int64_t *version, const char **name,
                  size_t *namelen, int *isdown, const char **why);

/* R__<name>.sql, a repeatable migration (migc's layout and Flyway's): 1
** with the name in name[0..*namelen), or 0 when file is not such a name;
** -1 with *why when it is one that migc cannot take. */
int parserepeatable(const char *file, const char **name, size_t *namelen, const char **why);

/* A Flyway or refinery name, split (flywayname). */
struct flyname {
	char kind;              /* 'V', 'U' or 'R' */
	const char *ver, *desc; /* as written; ver empty for 'R' */
	size_t verlen, desclen;
	int integer;            /* the version is one run of digits */
	int refinery;           /* refinery reads this name too */
};

/* V or U, a version (runs of digits joined by one '.' or '_'), "__", a
** description, ".sql"; or R, "__", a description, ".sql": 1 with *f
** filled, else 0. */
int flywayname(const char *file, struct flyname *f);

/* flyway's layout (--layout flyway): V<version>__<name>.sql, and
** U<version>__<name>.sql its undo (the down migration), as
** parsefilename splits migc's; the version an integer, or with dotted
** (--layout flyway-dotted) MAJOR[.MINOR[.PATCH]] mapped to MAJOR * 1000000
** + MINOR * 1000 + PATCH. */
int parseflyway(const char *file, int dotted, int64_t *version, const char **name,
                size_t *namelen, int *isdown, const char **why);

/* refinery's layout (--layout refinery): V<version>__<name>.sql and
** U<version>__<name>.sql (refinery's unversioned migrations, which are
** numbered too: both are up migrations); no down migrations. */
int parserefinery(const char *file, int64_t *version, const char **name,
                  size_t *namelen, int *isdown, const char **why);
