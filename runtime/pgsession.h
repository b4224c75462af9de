/*
** pgsession.h: the PostgreSQL driver's session snapshot (pgsession.c).
** Include after libpq-fe.h, migc.h and internal.h.
*/

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

struct pgsession {
	char *reset;    /* after each migration: the run's start state and what migc needs */
	int nreset;     /* statements in reset */
	char *restore;  /* when the run ends: the run's start state */
	char *guard;    /* begins a transaction for a tracking write that no migration setting reaches */
};

/* Remember c's session as a run begins (owned: a connection migc_open
** made, whose state is known without asking) and give it what migc
** needs. MIGC_OK, or an error on m with *s all NULL. */
int migc__pgsessionsave(migc *m, PGconn *c, int owned, struct pgsession *s);
void migc__pgsessionfree(struct pgsession *s);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
