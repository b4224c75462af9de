/*
** cli.h: the command-line front end, shared by every embedded binary
** (through migc_main) and the developer tool, which also reads the
** migrations from a directory at run time.
*/

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* Where the developer tool gets its set: loaded from a directory. */
struct cli_source {
	/* Read dir for the dialect ("sqlite"/"postgres"); print diagnostics;
	** NULL when the directory has errors. */
	const struct migc_set *(*xLoad)(const char *dir, const char *dialect);
	void (*xFree)(const struct migc_set *set);
};

/* Run one command on the embedded sets (one per dialect; the URL picks),
** or, with src, on the set it loads. Returns the exit status. */
int migc__climain(const char *prog, int argc, char **argv, const struct migc_set *const *sets,
            size_t nsets, const struct cli_source *src);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
