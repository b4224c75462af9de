/*
** internal.h: what the runtime's files share and applications never
** see: the handle, the tracking-table rows and the driver interface that
** each database implements (one struct of x-functions per driver).
*/

#include <signal.h>

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
	int old;                /* an older layout xUpgradeTable brings up (so not up to date) */
	struct trackstrings *strings;   /* where the rows' strings are (migc__trackstrdup) */
};

/* The rows of a query (xQuery): cells[r * ncols + c] is a malloc'd
** string, or NULL for SQL NULL; migc__freerows frees them. */
struct migc__rows {
	char **cells;
	size_t n, ncols;
};
void migc__freerows(struct migc__rows *rows);   /* adopt.c */

/* Repeatable migrations (repeatable.c). readrepeatables: the rows (name,
** checksum, applied_at, execution_ms) of their table, none when it does
** not exist; repeatablesdue: how many are to run; uprepeatables: run those, each
** under the migration lock; dryrepeatables: send their SQL as
** MIGC_EV_SQL events; recordrepeatable: record r as run, running
** nothing (adopt: Flyway ran it as it is). */
int migc__readrepeatables(migc *m, struct migc__rows *rows);
/* Whether an up to `to` reaches the newest versioned migration, after
** which the set's repeatable ones (it has some) run. */
int migc__repeatablesreached(const migc *m, int64_t to);
int migc__repeatablesdue(migc *m, int *n);
int migc__uprepeatables(migc *m);
/* MIGC_INPUT, saying so, when the set has repeatable migrations and the
** tracking table's name leaves no room for their table's. */
int migc__repeatablename(migc *m);
/* After a down: forget what repeatable migrations ran, so that the next
** up runs them again. */
int migc__forgetrepeatables(migc *m);
/* Through a transaction pooler: refuse, before anything runs, a due
** no-transaction repeatable migration that an up to `to` would run. */
int migc__poolrepeatables(migc *m, int64_t to);
int migc__dryrepeatables(migc *m);
int migc__recordrepeatable(migc *m, const struct migc_migration *r);

/* How xReadTable reads, and what xApply does besides (see there). */
enum { MIGC__READ_FULL, MIGC__READ_BRIEF, MIGC__READ_CREATE };
enum { MIGC__APPLY_BEGIN = 1, MIGC__APPLY_COMMIT = 2 };

/*
** A database driver: one const struct per database, with designated
** initializers; the optional methods are NULL where a database has no such
** thing. The contract every method keeps:
**
**   - It returns a MIGC_ code. On failure it leaves the message on the
**     handle (migc__seterr, or migc__adderr to add a line); on success it
**     leaves the handle's message alone. No method ever clears the message:
**     the engine and verify.c collect several problems in it.
**   - It never prints, exits or aborts, and frees what it allocates, except
**     what it hands over (below).
**   - "In the transaction" means the write transaction xBegin began and
**     xCommit or xRollback ends; "outside" means no transaction of migc's
**     is open (the driver may still run its own single statements).
**
** Open and close
**   xOpen(m, target, flags)  Before anything else, on a fresh handle: open
**       the target (the URL without its scheme), flags MIGC_READONLY. On
**       failure the handle is marked failed and xClose still runs.
**   xClose(m)  Last, once; closes only what xOpen opened (a wrapped
**       connection stays the application's) and frees the driver's state.
**   xInterrupt(m)  Optional; from a signal handler or another thread,
**       while any call runs (or none): cancel the statement running on
**       the database, if one is. Async-signal-safe: no allocation, no
**       locks, the handle's message untouched.
**   xIdle(m)  Optional; for a connection the application holds, before
**       each call that uses it: MIGC_OK when migc may use it now
**       (connected, outside any transaction of the application's),
**       MIGC_INPUT with the message otherwise.
**
** The write transaction (it also serialises migrators)
**   xBegin(m)  Outside -> in the transaction, holding the migration lock,
**       waiting at most m->lock_timeout seconds (MIGC_BUSY after). Under
**       the session lock (xLockSession) the transaction needs no lock of
**       its own. When xBegin returns, the transaction is open on the
**       database.
**   xCommit(m)  In -> outside; on failure the transaction is gone too.
**   xRollback(m)  In or outside -> outside; harmless outside.
**   xUnchanged(m)  Optional; just after xBegin, or outside while the
**       run holds the session lock (xLockSession): 1 when no other
**       connection can have written the tracking table since this handle
**       last read it, so the engine may keep what it read (plus what it
**       wrote); 0 to have it read again.
**
** Statements
**   xExec(m, sc, i)  Run statement i of script sc where the engine is:
**       in the transaction for a transactional migration, outside for a
**       no-transaction one. Its error names sc's file, line and column.
**   xApply(m, mig, r, how)  Optional: what the engine does itself when
**       it is NULL, in as few round trips as the driver can: run mig's up
**       statements, the session reset (xSessionReset, final 0), write r
**       (r->ms < 0: the driver measures) and, with MIGC__APPLY_COMMIT in
**       how, COMMIT (in -> outside). Called in the transaction; or, with
**       MIGC__APPLY_BEGIN, outside while the run holds the session lock,
**       and xApply begins the transaction itself (PostgreSQL sends the
**       BEGIN in the same message: an apply is one round trip). The
**       engine runs the foreign key check after it (asking for no COMMIT
**       when the driver has xForeignKeyCheck). On failure the engine
**       rolls back.
**
** The tracking table
**   xReadTable(m, t, how)  In the transaction or outside. Fills t (which
**       the caller frees with migc__freetrack) in version order; a missing
**       table reads as empty. how: MIGC__READ_FULL every column;
**       MIGC__READ_BRIEF only version, checksum, done, total, error and
**       hasschema (the start-up check, uptodate): raw_checksum is NULL,
**       so migc__verdict does not tell MIGC_APPLIED_EOL from MIGC_APPLIED;
**       MIGC__READ_CREATE, in the transaction: make the table first when
**       it is missing, then read it all. A table without migc's mark, or
**       of a newer layout, is refused (migc__checkmarker). t->old: the
**       table is of an older layout that xUpgradeTable can bring up.
**   xUpgradeTable(m)  Optional; in a transaction that applies nothing,
**       just before its COMMIT: give a table read as t->old this
**       layout. It never waits for a lock on the table, and leaves the
**       table as it was when it cannot take one at once (another session
**       reads it): MIGC_OK then too, the next run tries again.
**   xWriteRow(m, r)  Insert or replace r: in the transaction, or outside
**       between a no-transaction migration's statements (committed at
**       once, whatever the migration set). r stays the caller's.
**   xDeleteRow(m, version)  In the transaction.
**   xGetRecorded(m, version, fp, text)  The schema recorded on a row,
**       malloc'd into *fp and *text (NULLs when none; the caller frees).
**   xSetRecorded(m, version, fp, text)  Record it on that row and clear
**       it from the others, in the transaction.
**
** Locks
**   xLockSession(m) / xUnlockSession(m)  Optional; outside: the
**       session-level migration lock a no-transaction migration (and a
**       PostgreSQL run) holds around its statements. Holds nest; the
**       engine calls xUnlockSession on every exit path of each hold
**       (migc__unlocksession). xUnlockSession is MIGC_ERROR, with the
**       message, when the lock was no longer held: another migrator may
**       have come in.
**   xPooled(m, pooled)  Optional (NULL: never pooled); outside: *pooled
**       1 when the connection goes through a pooler that gives each
**       transaction a server session of its own choosing (PgBouncer in
**       transaction mode), where nothing of a session, the session-level
**       lock among it, lasts from one transaction to the next: the run
**       then locks per transaction (xBegin) and refuses no-transaction
**       migrations, and xLockSession refuses. Asked once per connection.
**   xLockHolder(m)  Optional: the pid of another session holding the
**       migration lock, 0 when none or when it cannot tell (tells a
**       running no-transaction migration from an interrupted one). Never
**       touches the handle's message, even when its lookup fails:
**       verification calls it between the problems it is writing there.
**
** Another tool's tables (migc adopt)
**   xQuery(m, sql, param, rows)  In the transaction: run the SELECT sql,
**       with param (NULL: none) as its one text parameter (?1 or $1),
**       and fill rows (the caller frees them with migc__freerows, also
**       on failure).
**
** The schema
**   xSchema(m, text)  The live schema, normalised (schema.c): one line per
**       object, "kind\tname\tdetail", sorted; the tracking table left
**       out. *text is malloc'd; the caller frees it.
**
** SQLite's foreign keys (NULL on a database without such a switch)
**   xForeignKeys(m, on, was)  Outside: set enforcement, *was (unless
**       NULL) getting the old setting.
**   xForeignKeyCheck(m, sc)  In the transaction, after sc's statements:
**       an error naming sc's file for each violation sc added.
**
** The session a run starts from (optional)
**   xSessionSave(m)  Outside, as an up or down run begins: remember the
**       connection's state in m->session.
**   xSessionReset(m, final)  After each migration, in its transaction
**       before the tracking row or outside one: bring the session back to
**       that state and to what migc needs. final: the run ends; give the
**       connection back as it was and free m->session.
*/
struct migc_driver {
	const char *name;                                   /* "sqlite" */
	void (*xClientVersion)(char *buf, size_t n);        /* "SQLite 3.40.1"; NULL: not built in */
	int  (*xOpen)(migc *m, const char *target, int flags);
	void (*xClose)(migc *m);
	void (*xInterrupt)(migc *m);
	int  (*xIdle)(migc *m);
	int  (*xBegin)(migc *m);
	int  (*xCommit)(migc *m);
	void (*xRollback)(migc *m);
	int  (*xUnchanged)(migc *m);
	int  (*xExec)(migc *m, const struct migc_script *sc, unsigned long i);
	int  (*xApply)(migc *m, const struct migc_migration *mig, const struct trackrow *r, int how);
	int  (*xReadTable)(migc *m, struct track *t, int how);
	int  (*xUpgradeTable)(migc *m);
	int  (*xWriteRow)(migc *m, const struct trackrow *r);
	int  (*xDeleteRow)(migc *m, int64_t version);
	int  (*xGetRecorded)(migc *m, int64_t version, char **fingerprint, char **text);
	int  (*xSetRecorded)(migc *m, int64_t version, const char *fingerprint, const char *text);
	int  (*xLockSession)(migc *m);
	int  (*xUnlockSession)(migc *m);
	int  (*xPooled)(migc *m, int *pooled);
	long (*xLockHolder)(migc *m);
	int  (*xQuery)(migc *m, const char *sql, const char *param, struct migc__rows *rows);
	int  (*xSchema)(migc *m, char **text);
	int  (*xForeignKeys)(migc *m, int on, int *was);
	int  (*xForeignKeyCheck)(migc *m, const struct migc_script *sc);
	int  (*xSessionSave)(migc *m);
	int  (*xSessionReset)(migc *m, int final);
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
	int ddl_lock_timeout;   /* PostgreSQL: a migration's lock_timeout, ms; 0 none */
	int statement_timeout;  /* PostgreSQL: a migration's statement_timeout, ms; 0 none */
	int ddl_retries;        /* after a lock timeout or deadlock; -1: 5 with a ddl_lock_timeout, else 0 */
	int retryable;          /* the statement that failed last lost a lock wait or a deadlock, and
	                        ** trying it again cannot redo work it committed (the driver says) */
	unsigned long long jitter;   /* the retries' random state */
	int allow_out_of_order;
	int single_transaction;
	int resume;             /* up may go on with a failed no-transaction migration */
	int create_schema;      /* PostgreSQL: make the schema set with migc_set_schema if missing */
	int nchanged;           /* migrations applied, reverted or baselined by this call */
	int unrecorded;         /* up found the newest row without its schema; recorded() clears it */
	int norecord;           /* gen's replay: record no schema on the rows (it fingerprints each version) */
	int stop;               /* gen's replay: end the up run after the migration just applied (set from
	                           its event callback; the run clears it and returns MIGC_OK) */
	int fkwas;              /* SQLite: foreign_keys when the running up or down began; -1 none */
	int fkcur;              /* SQLite: foreign_keys as this run set it; -1 unknown */
	void *session;          /* the driver's xSessionSave state; NULL outside a run */
	long long readmark;     /* SQLite: PRAGMA data_version when the table was last read; -1 none */
	int appbusy;            /* SQLite: the connection's busy timeout while migc's is set; -1 */
	long long busysince;    /* SQLite: when the current wait for a lock began (migc__monotonicms) */
	char schema[64];        /* tracking table's schema, "" for the default */
	char ignore[512];       /* migc_set_ignore_tables: comma-separated patterns */
	int schemarules;        /* which tables xSchema leaves out: 2 (0 too) the tools' and ignored ones, 1 none
	                           but the tracking table (a fingerprint tagged s1:, schema.c) */
	char tableschema[64];   /* PostgreSQL: the schema it is or will be in, "" until resolved */
	migc_event_fn event;
	void *ctx;
	int incallback;         /* the event callback is running: calls on m are MIGC_MISUSE */
	volatile sig_atomic_t interrupted;   /* migc_interrupt was called: calls are MIGC_INTERRUPTED */
	const struct migc_script *running;   /* the script an up or down is running; NULL between */
	char *errmsg;           /* NULL: no message */
};

/* api.c */
int migc__seterr(migc *m, int rc, const char *fmt, ...);
int migc__adderr(migc *m, const char *fmt, ...);          /* append a line; returns MIGC_OK or MIGC_NOMEM */
void migc__clearerr(migc *m);
/* For a lookup that must leave the handle's message alone (verify writes
** its problems there): set the message aside, then put it back, dropping
** whatever the lookup left. */
char *migc__setaside(migc *m);
void migc__putback(migc *m, char *kept);
void migc__emit(migc *m, enum migc_event_kind kind, const struct migc_migration *mig,
          long long ms, const char *text, size_t len);
char *migc__strdup(const char *s);
long long migc__monotonicms(void);     /* milliseconds on a clock that never jumps */
int migc__newhandle(migc **out, const struct migc_set *set);
int migc__openresult(migc *m, int rc);   /* on failure, marks m failed and releases its connection */
int migc__checkhandle(migc *m, int useconn);   /* the guard of every public entry point but migc_close */
/* The lock timeout sc's statements run with, in ms (0: none): the file's
** own (-- migc:lock-timeout, off being none) in place of the run's
** (migc_set_ddl_lock_timeout). */
long migc__locktimeout(const migc *m, const struct migc_script *sc);

/* The tracking table's layout, marked on the table itself (a comment in
** its SQLite CREATE statement, COMMENT ON TABLE in PostgreSQL) so that a
** database written by a newer migc is refused, not misread. The comment
** names the oldest layout whose migc can use the table (TRACK_OLDEST: a
** layout 2 table is one a layout 1 migc uses as its own); a migc refuses
** a comment above TRACK_LAYOUT, the newest it knows. PostgreSQL's layout
** 2 adds the column TRACK_COLUMN (README, *The tracking table*), which a
** read names so that a new backend need not open pg_description. */
#define TRACK_LAYOUT 2
#define TRACK_OLDEST "1"
#define TRACK_MARKER "migc tracking table, layout "
#define TRACK_COLUMN "migc_layout_2"

/* The error column of a row whose no-transaction down is running, or was
** interrupted: DOWN_PROGRESS "k of n statements of FILE had run". */
#define DOWN_PROGRESS "down did not finish: "

/* track.c: the rows, and the one verdict on each (see struct verdict). */
void migc__newtrack(struct track *t);
void migc__freetrack(struct track *t);
int migc__growtrack(struct track *t);
int migc__reservetrack(struct track *t, size_t n);
char *migc__trackstrdup(struct track *t, const char *s);
const struct trackrow *migc__findrow(const struct track *t, int64_t version);
int migc__applied(const struct track *t, int64_t version);
int migc__readtrack(migc *m, struct track *t, int how);   /* xReadTable on a fresh t; freed on failure */
/* tooltables.c: other tools' tracking tables (NULL-ended), whether a
** table is one migc_set_ignore_tables names, and an SQL condition on a
** table name column that is true for both (malloc'd; NULL: out of
** memory). The schema leaves them out. */
extern const char *const migc__tooltables[];
int migc__ignoredtable(const migc *m, const char *name);
char *migc__ignoresql(const migc *m, int postgres, const char *col);

/* adopt.c: when migc has recorded nothing, the first other tool whose
** tracking table is in the database (and not ignored): *tool and *table,
** else NULLs. */
int migc__othertool(migc *m, const char **tool, const char **table);

/* The tool a finished row was adopted from (migc_adopt marks its
** done_checksum "adopted:TOOL"), or NULL. */
const char *migc__origin(const struct trackrow *r);
int migc__checkmarker(migc *m, const char *text);
/* The columns every read of the tracking table selects, in this order. */
enum trackcol { TC_VERSION, TC_NAME, TC_CHECKSUM, TC_RAW, TC_APPLIED, TC_MS, TC_DONE, TC_TOTAL,
                TC_ERROR, TC_DONESUM, TC_HASSCHEMA };
/* The tracking table's column definitions for CREATE TABLE, for one
** database (postgres: 1), into out. */
void migc__trackdefinition(int postgres, char *out, size_t size);
/* The SELECT list of a read in enum trackcol's order; appliedat: the
** expression for applied_at (NULL: the column); brief: only the columns
** MIGC__READ_BRIEF needs (the server formats and sends no others). */
void migc__trackselect(const char *appliedat, int brief, char *out, size_t size);
/* Append the row cell gives (column by its place in a read of
** migc__trackselect's columns for brief, as text; NULL for SQL NULL) to t,
** the columns a brief read leaves out as NULL or 0: MIGC_OK, MIGC_NOMEM,
** or MIGC_ERROR for a NULL checksum. */
int migc__takerow(struct track *t, const char *(*cell)(void *ctx, int col), void *ctx, int brief);
struct sha256;
void migc__prefixbegin(struct sha256 *s);
void migc__prefixadd(struct sha256 *s, const struct migc_script *sc, unsigned long i);
void migc__prefixhex(const struct sha256 *s, char out[68]);
int migc__isfailed(const struct trackrow *r);
int migc__downstarted(const struct trackrow *r);    /* its no-transaction down began */
int migc__resumable(const struct trackrow *r, const struct migc_migration *mig);
int64_t migc__newest(const struct track *t);        /* the newest recorded version, 0 when none */

/* What a migration of the set and its tracking row (either may be
** missing) amount to. */
struct verdict {
	enum migc_state_kind kind;
	int problem;            /* verify reports it; up and down refuse to run */
	long pid;               /* MIGC_RUNNING: the process running it; -1: it finished as this looked */
};
/*
** The verdict on r (NULL: not applied) and mig (NULL: not in the set),
** newest being the newest recorded version. forup: as up sees it, where a
** pending migration older than newest is a problem (unless allowed) and,
** with resume, a failed one that can go on is not. Asks the driver for the
** lock holder only for a row that looks in progress.
*/
void migc__verdict(migc *m, const struct trackrow *r, const struct migc_migration *mig, int64_t newest, int forup,
                   struct verdict *v);

/* The set and the rows walked together in version order: each entry has
** a row, a migration or both. */
struct entries {
	const struct migc_set *set;
	const struct track *t;
	unsigned long i;
	size_t j;
};
void migc__entriesbegin(struct entries *e, const struct migc_set *set, const struct track *t);
int migc__nextentry(struct entries *e, const struct trackrow **r, const struct migc_migration **mig);  /* 0: done */

/* verify.c */
int migc__verifytrack(migc *m, const struct track *t, int forup);

/* set.c */
int migc__stmtpos(const struct migc_script *sc, unsigned long i, long erroff,
            unsigned long *line, unsigned long *col);

/* engine.c, for gen's replay (m->stop ends the run from its callback) */
int migc__replayscript(migc *m, const struct migc_script *sc);

/* sqlite.c, for gen's replay: each row of sqlite_schema with rowid in
** [from, to], its lines as xSchema reads them (its own and, for a table,
** its columns'; none when it is left out: the tracking table, an ignored
** table, an sqlite_ one). */
struct migc__object {
	long long rowid;
	const char *type, *name, *tbl_name;
	int counted;            /* part of the schema */
	const char *lines;      /* newline-ended, "" when not counted */
};
struct migc__objects;    /* the queries, prepared once on m's connection */
int migc__objectsopen(migc *m, struct migc__objects **q);
int migc__objectsread(migc *m, struct migc__objects *q, long long from, long long to,
                      void (*fn)(void *ctx, const struct migc__object *o), void *ctx);
void migc__objectsclose(struct migc__objects *q);   /* NULL is fine */

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
int migc__schematext(migc *m, char **text);       /* its lines (the caller frees), for diffschema */

/* Compare two schema texts (sorted lines, cut in place): *out lists, by
** kind and name, each object "removed" (in before only), "added" (in
** after only) or "changed", in one allocation the caller frees; MIGC_OK
** or MIGC_NOMEM. */
int migc__diffschema(char *before, char *after, struct migc_drift **out, size_t *n);

/* sqlite.c: the integer a PRAGMA statement returns, -1 on failure; and
** the error of the connection's last call, "what: why" (MIGC_BUSY for a
** database another connection kept locked past the lock timeout). */
long long migc__sqlitepragma(struct sqlite3 *db, const char *sql);
int migc__sqliteerr(migc *m, const char *what);

/* pg.c, built with PostgreSQL: libpq's message about connecting c through
** url (NULL: not known) with every password masked (migc__maskpw): those
** url holds, PGPASSWORD's and the one libpq used (PQpass, maybe from
** .pgpass). Malloc'd; NULL when out of memory. */
char *migc__pgconnmsg(struct pg_conn *c, const char *url);

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
