/*
** engine.h: what engine.c gives the commands (up.c, down.c, repair.c).
** Include after migc.h and internal.h.
*/

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

enum { VERIFY_NONE = -1, VERIFY_DOWN = 0, VERIFY_UP = 1 };

int migc__endtx(migc *m, int rc);
int migc__fkchange(const migc *m, unsigned flags);
int migc__fkcheck(migc *m, const struct migc_script *sc);
int migc__runbegin(migc *m);
int migc__sessionreset(migc *m, int rc, int final);
int migc__runend(migc *m, int rc);
void migc__makerow(struct trackrow *r, const struct migc_migration *mig, char *at);
const struct migc_migration *migc__nextpending(migc *m, const struct track *t, int64_t to);
int migc__checkversion(migc *m, int64_t v, const char *what);
int migc__lockedread(migc *m, struct track *t, int mode);
int migc__lockedrefresh(migc *m, struct track *t, int *have, int sessionlocked, int *begun);
int migc__addrow(migc *m, struct track *t, const struct migc_migration *mig);
int migc__exec(migc *m, const struct migc_script *sc, unsigned long i);
int migc__runstmts(migc *m, const struct migc_script *sc);
int migc__failedrow(migc *m, int rc, struct trackrow *r);
int migc__setupoutside(migc *m, const struct migc_script *sc, int *locked);
int migc__unlocksession(migc *m, int rc);
/* *pooled: the connection goes through a transaction pooler (xPooled). */
int migc__pooled(migc *m, int *pooled);
int migc__poolrefusal(migc *m, const struct migc_script *sc, const char *done);
int migc__recorded(migc *m, int rc);
int migc__stopped(migc *m, int rc, const char *done);
int migc__retry(migc *m, const struct migc_migration *mig, const struct migc_script *sc, int attempt);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
