/*
** internal.h: what the runtime's files share and applications never
** see: the handle, the tracking-table rows and the driver interface that
** each database implements (one struct of x-functions per driver).
*/

#include "url.h"   /* url.c: a header of its own, which cli.c includes alone */

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* One row of the tracking table. */
struct trackrow {
	int64_t version;
	char *name, *checksum, *raw_checksum, *applied_at, *error;
	char *done_checksum;    /* no-transaction: c1 over the statements done */
	long long ms;
	long done, total;
	int hasschema;          /* schema_fingerprint is set (recordschema) */
};

struct track {
	struct trackrow *rows;  /* in version order */
	size_t n, cap;
};

/*
** A database driver. Every function returns a MIGC_ result code and
** leaves the message on the handle (seterr) when it fails.
*/
struct migc_driver {
	const char *name;                                   /* "sqlite" */
	int  (*xOpen)(migc *m, const char *target, int flags);
	void (*xClose)(migc *m);                            /* closes only what xOpen opened */
	int  (*xBegin)(migc *m);                            /* the write transaction that serialises migrators */
	int  (*xCommit)(migc *m);
	void (*xRollback)(migc *m);                         /* harmless outside a transaction */
	int  (*xExec)(migc *m, const struct migc_script *sc, unsigned long i);
	int  (*xCreateTable)(migc *m);
	/* A missing table reads as empty. brief: only version, checksum,
	** raw_checksum, done, total, error and hasschema are needed. */
	int  (*xReadTable)(migc *m, struct track *t, int brief);
	int  (*xWriteRow)(migc *m, const struct trackrow *r);  /* insert or replace */
	int  (*xDeleteRow)(migc *m, int64_t version);
	/* SQLite: set foreign key enforcement (outside a transaction), *was
	** (unless NULL) getting the old setting; check them before COMMIT,
	** naming sc's file. NULL: the database has no such switch. */
	int  (*xForeignKeys)(migc *m, int on, int *was);
	int  (*xForeignKeyCheck)(migc *m, const struct migc_script *sc);
	/* Optional: run mig's up statements and record r (r->ms < 0: the
	** driver measures), committing when asked, in as few round trips as
	** it can. NULL: the engine uses xExec and xWriteRow. */
	int  (*xApply)(migc *m, const struct migc_migration *mig, const struct trackrow *r, int commit);
	/* Optional: the session-level lock a no-transaction migration holds
	** around its statements; xUnlockSession runs on every exit path. */
	int  (*xLockSession)(migc *m);
	void (*xUnlockSession)(migc *m);
	/* The live schema, normalised (schema.c): one line per object,
	** "kind\tname\tdetail", sorted; the tracking table left out.
	** *text is malloc'd. */
	int  (*xSchema)(migc *m, char **text);
	/* The schema recorded on a tracking row (NULLs when none), and
	** recording it on one row while clearing the text from the others. */
	int  (*xGetRecorded)(migc *m, int64_t version, char **fingerprint, char **text);
	int  (*xSetRecorded)(migc *m, int64_t version, const char *fingerprint, const char *text);
	/* Optional: the pid of another session holding the migration lock,
	** 0 when none (tells a running no-transaction migration from an
	** interrupted one). */
	long (*xLockHolder)(migc *m);
	/* Optional: the session a run starts from. xSessionSave, as an up or
	** down run begins (outside a transaction), remembers the connection's
	** state; xSessionReset brings the session back to it (and to what migc
	** needs) after each migration, inside its transaction before the
	** tracking row or outside one, and leaves the handle's message alone
	** when it succeeds; final: the run ends, so give the connection back
	** as it was and forget the state. */
	int  (*xSessionSave)(migc *m);
	int  (*xSessionReset)(migc *m, int final);
	/* Optional: in the write transaction just begun, 1 when no other
	** connection can have written the tracking table since this handle
	** last read it, so the engine may keep what it read (plus what it
	** wrote); 0 to have it read again. */
	int  (*xUnchanged)(migc *m);
	/* Optional: for a connection the application holds, MIGC_OK when
	** migc may use it now (connected, no transaction of the application
	** open), MIGC_INPUT with the message otherwise. */
	int  (*xIdle)(migc *m);
};

struct migc {
	const struct migc_set *set;
	const struct migc_driver *drv;
	void *db;               /* the driver's connection */
	int owned;              /* xClose closes db */
	int failed;             /* the result code of a failed open or wrap; 0: usable */
	int readonly;
	char table[64];         /* validated tracking table name */
	int lock_timeout;       /* seconds */
	int allow_out_of_order;
	int single_transaction;
	int resume;             /* up may go on with a failed no-transaction migration */
	int nchanged;           /* migrations applied, reverted or baselined by this call */
	int unrecorded;         /* up found the newest row without its schema; recorded() clears it */
	int fkwas;              /* SQLite: foreign_keys when the running up or down began; -1 none */
	int fkcur;              /* SQLite: foreign_keys as this run set it; -1 unknown */
	void *session;          /* the driver's xSessionSave state; NULL outside a run */
	long long readmark;     /* SQLite: PRAGMA data_version when the table was last read; -1 none */
	int appbusy;            /* SQLite: the connection's busy timeout while migc's is set; -1 */
	char schema[64];        /* tracking table's schema, "" for the default */
	char tableschema[64];   /* PostgreSQL: the schema it is or will be in, "" until resolved */
	migc_event_fn event;
	void *ctx;
	char *errmsg;           /* NULL: no message */
};

/* api.c */
int migc__seterr(migc *m, int rc, const char *fmt, ...);
int migc__adderr(migc *m, const char *fmt, ...);          /* append a line; returns MIGC_OK or MIGC_NOMEM */
void migc__clearerr(migc *m);
void migc__emit(migc *m, enum migc_event_kind kind, const struct migc_migration *mig,
          long long ms, const char *text, size_t len);
char *migc__strdup(const char *s);
long long migc__monotonicms(void);     /* milliseconds on a clock that never jumps */
int migc__newhandle(migc **out, const struct migc_set *set);
int migc__openresult(migc *m, int rc);   /* on failure, marks m failed and releases its connection */
int migc__checkhandle(migc *m, int useconn);   /* the guard of every public entry point */

/* The tracking table's layout, marked on the table itself (a comment in
** its SQLite CREATE statement, COMMENT ON TABLE in PostgreSQL) so that a
** database written by a newer migc is refused, not misread. */
#define TRACK_LAYOUT 1
#define TRACK_MARKER "migc tracking table, layout "

/* The error column of a row whose no-transaction down is running, or was
** interrupted: DOWN_PROGRESS "k of n statements of FILE had run". */
#define DOWN_PROGRESS "down did not finish: "

/* plan.c */
int migc__checkmarker(migc *m, const char *text);
struct sha256;
void migc__prefixbegin(struct sha256 *s);
void migc__prefixadd(struct sha256 *s, const struct migc_script *sc, unsigned long i);
void migc__prefixhex(const struct sha256 *s, char out[68]);
int migc__isfailed(const struct trackrow *r);
int migc__resumable(const struct trackrow *r, const struct migc_migration *mig);
void migc__freetrack(struct track *t);
int migc__readtrack(migc *m, struct track *t);
int migc__readbrief(migc *m, struct track *t);      /* for uptodate: see xReadTable */
int migc__growtrack(struct track *t);
int migc__verifytrack(migc *m, const struct track *t, int forup);
int migc__stmtpos(const struct migc_script *sc, unsigned long i, long erroff,
            unsigned long *line, unsigned long *col);

/* schema.c */
struct lines {
	char **v;
	size_t n, cap;
};
int migc__linesadd(struct lines *l, const char *kind, const char *name, const char *detail);
char *migc__linesjoin(struct lines *l);          /* sorts, joins with "\n", frees l; NULL: out of memory */
void migc__fingerprint(const char *text, char out[68]);
int migc__recordschema(migc *m);
int migc__schemaprint(migc *m, char out[68]);     /* the live schema's fingerprint */

/* sqlite.c: the integer a PRAGMA statement returns, -1 on failure. */
long long migc__sqlitepragma(struct sqlite3 *db, const char *sql);

/* sqlitesession.c: the SQLite driver's xSessionSave and xSessionReset;
** note tells it of each statement before it runs. */
int migc__sqlitesessionsave(migc *m);
int migc__sqlitesessionreset(migc *m, int final);
void migc__sqlitesessionnote(migc *m, const char *sql, const char *end);
void migc__sqlitesessionfree(migc *m);
/* PRAGMA foreign_key_check after sc ran: an error for each violation it
** added to those the run found (or the last check left). */
int migc__sqlitesessionfkcheck(migc *m, const struct migc_script *sc);
/* Before a tracking write between a no-transaction migration's
** statements: lift a query_only it set (1: it was set, put it back). */
int migc__sqlitesessionunguard(migc *m);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
