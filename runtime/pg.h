/*
** pg.h: what the PostgreSQL driver's files share (pg.c, pglock.c,
** pgexec.c, pgtrack.c, pgschema.c): the driver's state on the handle and
** the functions one file gives another. Include after libpq-fe.h,
** migc.h, internal.h and pgsession.h.
*/

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

struct pg {
	PGconn *conn;
	int owned;                      /* PQfinish on close */
	char *qtable;                   /* "schema"."table", quoted; NULL until resolved */
	char *regclass;                 /* the same as a string literal for to_regclass */
	long long key;                  /* advisory lock key */
	int nlocks;                     /* session-level holds of the advisory lock */
	int pooled;                     /* through a transaction pooler (pglock.c); -1 not asked yet */
	long serverpid;                 /* pg_backend_pid() when pooled was asked */
	PGcancel *cancel;               /* made at open: an interrupted wait sends it (pgexec.c) */
	PGconn *side;                   /* a second connection that looks up who blocks a wait; NULL until needed */
	long long sentat;               /* when the running message was sent (ms, migc__monotonicms) */
	int looked;                     /* its blocker was looked up */
	char blocker[512];              /* "the lock is held by pid ...", or "" */
	/* The script whose statements have migc's timeouts set (once, before
	** its first: a SET of its own then stands), and whether with SET LOCAL
	** (gone with the transaction); NULL when none. */
	const struct migc_script *timedfor;
	int timedlocal;
	int readlocked;                 /* the table was read while the session lock was held */
	int resetdone;                  /* the session reset ran with the last ROLLBACK (pooled) */
	struct pgsession sess;          /* the running up or down's start state; NULLs outside one */
};

#define PG(m) ((struct pg *)(m)->db)

/* pg.c */
int migc__pgerr(migc *m, int rc, const char *what, const char *msg);
int migc__pgconnerr(migc *m, const char *what);
int migc__cancelledlate(migc *m, const PGresult *r);
int migc__pgsend(migc *m, const char *sql);
void migc__pgdrain(migc *m);
PGresult *migc__pgexecagain(migc *m, const char *sql);
int migc__pgrun(migc *m, const char *sql, PGresult **res);
int migc__pgrunparams(migc *m, const char *sql, int n, const char *const *vals, const char *what);
int migc__pgcommit(migc *m);
void migc__pgrollback(migc *m);

/* pglock.c */
long long migc__pglockkey(const char *schema, const char *table);
int migc__pglockpoll(migc *m, int xact);
int migc__pglocksession(migc *m);
int migc__pgunlocksession(migc *m);
int migc__pgpooled(migc *m, int *pooled);
int migc__pgunchanged(migc *m);
int migc__pgstillheld(migc *m);
long migc__pglockholder(migc *m);

/* pgexec.c */
int migc__pgexec(migc *m, const struct migc_script *sc, unsigned long i);
int migc__pgapply(migc *m, const struct migc_migration *mig, const struct trackrow *r, int how);

/* pgtrack.c */
int migc__pgresolve(migc *m);
int migc__pgreadtable(migc *m, struct track *t, int how);
int migc__pgupgradetable(migc *m);
int migc__pgwriterow(migc *m, const struct trackrow *r);
int migc__pgdeleterow(migc *m, int64_t version);
char *migc__pgrowliteral(migc *m, const struct trackrow *r);
int migc__pggetrecorded(migc *m, int64_t version, char **fp, char **text);
int migc__pgquery(migc *m, const char *sql, const char *param, struct migc__rows *rows);

/* The result of sql, with param its $1 when not NULL (NULL when it could
** not be sent), waited for as a migration's statement is (pgexec.c), so
** that migc_interrupt cancels it: a read of another tool's table, which an
** application may hold locked, and which nothing is lost by cancelling. */
PGresult *migc__pgcancellable(migc *m, const char *sql, const char *param);
int migc__pgsetrecorded(migc *m, int64_t version, const char *fp, const char *text);

/* pgschema.c */
int migc__pgschema(migc *m, char **text);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
