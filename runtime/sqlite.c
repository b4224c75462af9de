/*
** sqlite.c: the SQLite driver. Migrators serialise on BEGIN IMMEDIATE
** with a busy timeout; statements run one by one with sqlite3_prepare_v2
** so a failure names the statement's file:line:col.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "migc.h"
#include "internal.h"
#include "grow.h"

#define DB(m) ((sqlite3 *)(m)->db)

/* Why a write failed on a connection that is read-only, or "". */
static const char *
readonlyhint(migc *m)
{
	if (sqlite3_errcode(DB(m)) != SQLITE_READONLY || sqlite3_db_readonly(DB(m), "main") != 1)
		return "";
	return "; the database is open read-only (the URL says mode=ro or immutable=1, or this user may not write the file)";
}

static int
dberr(migc *m, const char *what)
{
	int code = sqlite3_errcode(DB(m));

	if (sqlite3_extended_errcode(DB(m)) == SQLITE_READONLY_ROLLBACK) {
		const char *file = sqlite3_db_filename(DB(m), "main");

		return migc__seterr(m, MIGC_ERROR, "%s: %s-journal holds a write that was interrupted, which this connection "
		              "cannot roll back as it may not write the database (the file or its directory is read-only "
		              "for this user, or the URL says mode=ro): call migc_status (or any migc function that reads "
		              "the database) once as a user who may write %s and its directory", what, file, file);
	}
	/* migc's busy handler gave up at once for migc_interrupt (busywait). */
	if ((code == SQLITE_BUSY || code == SQLITE_LOCKED) && m->interrupted)
		return migc__seterr(m, MIGC_INTERRUPTED, "interrupted while waiting for the database's lock: %s", what);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return migc__seterr(m, MIGC_BUSY, "%s: the database stayed locked by another connection for the whole lock timeout (%d s)",
		              what, m->lock_timeout);
	if (code == SQLITE_NOMEM)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	return migc__seterr(m, MIGC_ERROR, "%s: %s%s", what, sqlite3_errmsg(DB(m)), readonlyhint(m));
}

int
migc__sqliteerr(migc *m, const char *what)
{
	return dberr(m, what);
}

static int
exec(migc *m, const char *sql)
{
	if (sqlite3_exec(DB(m), sql, NULL, NULL, NULL) != SQLITE_OK)
		return dberr(m, "sqlite");
	return MIGC_OK;
}

/*
** MIGC_READONLY (status, verify, dry runs) opens read-write without
** CREATE, and PRAGMA query_only refuses every change: a connection that
** may write is what rolls back the hot journal of a write a crash
** interrupted, on its first read, so that these commands see the
** database as it was before. A file this process may not write opens
** read-only all the same, and a journal it then cannot roll back is an
** error saying what to run (dberr).
*/
static int
sqliteopen(migc *m, const char *target, int flags)
{
	sqlite3 *db = NULL;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | ((flags & MIGC_READONLY) ? 0 : SQLITE_OPEN_CREATE);
	char *uri, err[256];
	int rc;

	rc = migc__sqliteuri(target, (flags & MIGC_READONLY) != 0, &uri, err, sizeof(err));
	if (rc != MIGC_OK)
		return migc__seterr(m, rc, "%s", rc == MIGC_NOMEM ? "out of memory" : err);
	rc = sqlite3_open_v2(uri, &db, oflags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		const char *msg = db ? sqlite3_errmsg(db) : "out of memory";

		/* A VFS the URL names that this SQLite does not have is bad input too. */
		rc = migc__seterr(m, rc == SQLITE_NOMEM ? MIGC_NOMEM : strncmp(msg, "no such vfs", 11) == 0 ? MIGC_INPUT : MIGC_ERROR,
		            "cannot open sqlite database %.*s: %s%s", (int)strcspn(target, "?"), target, msg,
		            (flags & MIGC_READONLY) ? " (it must exist)" : "");
		sqlite3_close(db);
		return rc;
	}
	m->db = db;
	if ((flags & MIGC_READONLY) && exec(m, "PRAGMA query_only = ON") != MIGC_OK)
		return MIGC_ERROR;
	/* As sqlx does: a connection migc opens enforces foreign keys. */
	return exec(m, "PRAGMA foreign_keys = ON");
}

/* sqlite3_interrupt may be called from another thread (SQLite's manual);
** it only sets a flag, so a signal handler may call it too. */
static void
sqliteinterrupt(migc *m)
{
	sqlite3_interrupt(DB(m));
}

static void
sqliteclose(migc *m)
{
	migc__sqlitesessionfree(m);
	if (m->owned)
		sqlite3_close(DB(m));
	m->db = NULL;
}

/*
** The busy timeout is migc's lock timeout while migc waits for or holds
** its lock (BEGIN IMMEDIATE until COMMIT or ROLLBACK, a read of the
** tracking table), and for the whole of an up or down run, whose
** no-transaction statements and tracking writes commit on their own; the
** connection's own comes back after, so an application's connection keeps
** its timeout. (A busy handler of the application's own cannot be read
** back: sqlite3_busy_timeout replaces it.)
** migc's handler waits as sqlite3_busy_timeout's does, but gives up as
** soon as migc_interrupt comes: sqlite3_interrupt stops statements, not a
** wait for a lock, which would otherwise last the whole lock timeout (a
** minute by default) after a SIGTERM.
*/
static int
busywait(void *arg, int count)
{
	static const int steps[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
	migc *m = arg;
	long long now = migc__monotonicms(), left;
	int step = count < 12 ? steps[count] : 100;

	if (count == 0)
		m->busysince = now;
	left = (long long)m->lock_timeout * 1000 - (now - m->busysince);
	if (m->interrupted || left <= 0)
		return 0;
	sqlite3_sleep(step < left ? step : (int)left);
	return !m->interrupted;
}

static void
busyset(migc *m)
{
	if (m->appbusy < 0)
		m->appbusy = (int)migc__sqlitepragma(DB(m), "PRAGMA busy_timeout");
	sqlite3_busy_handler(DB(m), busywait, m);
}

/* Put the connection's timeout back, unless a run (m->session) goes on. */
static void
busyrestore(migc *m)
{
	if (m->session)
		return;
	if (m->appbusy >= 0)
		sqlite3_busy_timeout(DB(m), m->appbusy);
	m->appbusy = -1;
}

static int
sqlitebegin(migc *m)
{
	busyset(m);
	if (sqlite3_exec(DB(m), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = dberr(m, "cannot take the migration lock (BEGIN IMMEDIATE)");

		busyrestore(m);
		return rc;
	}
	return MIGC_OK;
}

static int
sqlitecommit(migc *m)
{
	int rc = sqlite3_get_autocommit(DB(m)) ? MIGC_OK : exec(m, "COMMIT");

	if (rc == MIGC_OK)
		busyrestore(m);
	return rc;
}

static void
sqliterollback(migc *m)
{
	if (!sqlite3_get_autocommit(DB(m)))
		sqlite3_exec(DB(m), "ROLLBACK", NULL, NULL, NULL);
	busyrestore(m);
}

static int
sqliteexec(migc *m, const struct migc_script *sc, unsigned long i)
{
	const struct migc_stmt *st = &sc->stmts[i];
	const char *sql = sc->sql + st->offset, *end = sql + st->length, *tail;
	unsigned long line, col;
	sqlite3_stmt *stmt;
	int rc;

	while (sql < end) {
		migc__sqlitesessionnote(m, sql, end);
		rc = sqlite3_prepare_v2(DB(m), sql, (int)(end - sql), &stmt, &tail);
		if (rc == SQLITE_OK && stmt) {
			/* sqlite3_interrupt is forgotten when no statement runs. */
			do
				rc = m->interrupted ? SQLITE_INTERRUPT : sqlite3_step(stmt);
			while (rc == SQLITE_ROW);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		}
		if (rc != SQLITE_OK) {
			long off = sqlite3_error_offset(DB(m));

			if (off >= 0)
				off += (long)(sql - (sc->sql + st->offset));
			migc__stmtpos(sc, i, off, &line, &col);
			rc = migc__seterr(m, rc == SQLITE_NOMEM ? MIGC_NOMEM : MIGC_ERROR, "%s:%lu:%lu: %s (statement %lu of %lu)%s",
			            sc->file, line, col, rc == SQLITE_INTERRUPT ? "interrupted" : sqlite3_errmsg(DB(m)),
			            i + 1, sc->nstmts, readonlyhint(m));
			sqlite3_finalize(stmt);
			return rc;
		}
		sqlite3_finalize(stmt);
		if (!stmt)
			break;
		sql = tail;
	}
	return MIGC_OK;
}

/* Run sql, in which %w stands for the quoted tracking table name. */
static int
exectable(migc *m, const char *fmt)
{
	char *sql = sqlite3_mprintf(fmt, m->table);
	int rc;

	if (!sql)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	rc = exec(m, sql);
	sqlite3_free(sql);
	return rc;
}

/* Prepare sql, in which %w stands for the quoted tracking table name. */
static int
preparetable(migc *m, const char *fmt, sqlite3_stmt **st)
{
	char *sql = sqlite3_mprintf(fmt, m->table);
	int rc;

	if (!sql)
		return SQLITE_NOMEM;
	rc = sqlite3_prepare_v2(DB(m), sql, -1, st, NULL);
	sqlite3_free(sql);
	return rc;
}

static int
sqlitecreatetable(migc *m)
{
	char def[512], sql[640];

	migc__trackdefinition(0, def, sizeof(def));
	snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS \"%%w\" ( /* " TRACK_MARKER TRACK_OLDEST " */ %s)", def);
	return exectable(m, sql);
}

static char *
coldup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? migc__strdup((const char *)s) : NULL;
}

long long
migc__sqlitepragma(struct sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* PRAGMA data_version: changes when another connection commits. */
static long long
dataversion(migc *m)
{
	return migc__sqlitepragma(DB(m), "PRAGMA data_version");
}

/* Nobody else committed since the last read: our own commits leave
** data_version as it was. */
static int
sqliteunchanged(migc *m)
{
	long long v = dataversion(m);

	return v >= 0 && v == m->readmark;
}

/* Column col of the row st is on, as text (migc__takerow). */
static const char *
cell(void *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static int
readtable(migc *m, struct track *t, int brief)
{
	char cols[512], sql[600];
	sqlite3_stmt *st = NULL;
	int rc, exists = 0;

	m->readmark = -1;
	if (sqlite3_prepare_v2(DB(m), "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1", -1, &st, NULL) != SQLITE_OK)
		return dberr(m, "cannot read the schema");
	sqlite3_bind_text(st, 1, m->table, -1, SQLITE_STATIC);
	exists = sqlite3_step(st) == SQLITE_ROW;
	rc = exists ? migc__checkmarker(m, (const char *)sqlite3_column_text(st, 0)) : MIGC_OK;
	if (sqlite3_finalize(st) != SQLITE_OK)
		return dberr(m, "cannot read the schema");
	if (!exists || rc != MIGC_OK)
		return rc;
	migc__trackselect(NULL, brief, cols, sizeof(cols));
	snprintf(sql, sizeof(sql), "SELECT %s FROM \"%%w\" ORDER BY version", cols);
	if (preparetable(m, sql, &st) != SQLITE_OK)
		return migc__seterr(m, MIGC_ERROR, "the tracking table %s has a layout this migc does not know: %s",
		              m->table, sqlite3_errmsg(DB(m)));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = migc__takerow(t, cell, st, brief);
		if (rc != MIGC_OK)
			goto nomem;
	}
	if (rc != SQLITE_DONE) {
		rc = dberr(m, "cannot read the tracking table");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	m->readmark = dataversion(m);
	return MIGC_OK;
nomem:
	sqlite3_finalize(st);
	return migc__seterr(m, MIGC_NOMEM, "out of memory (or a NULL in the tracking table %s)", m->table);
}

/* Readers wait for a writer's commit too, as long as the lock timeout. */
static int
sqlitereadtable(migc *m, struct track *t, int how)
{
	int own = m->appbusy < 0, rc;

	if (how == MIGC__READ_CREATE) {
		rc = sqlitecreatetable(m);
		if (rc != MIGC_OK)
			return rc;
	}
	if (own)
		busyset(m);
	rc = readtable(m, t, how == MIGC__READ_BRIEF);
	if (own)
		busyrestore(m);
	return rc;
}

/* A run holds migc's busy timeout from its start (sqlitesave) to its
** end (the final reset), which gives the connection its own back; after
** each migration the timeout is migc's again, whatever PRAGMA busy_timeout
** the migration ran. */
static int
sqlitesave(migc *m)
{
	int rc;

	busyset(m);
	rc = migc__sqlitesessionsave(m);
	if (rc != MIGC_OK)
		busyrestore(m);
	return rc;
}

static int
sqlitereset(migc *m, int final)
{
	int rc = migc__sqlitesessionreset(m, final);

	if (final)
		busyrestore(m);
	else
		sqlite3_busy_handler(DB(m), busywait, m);
	return rc;
}

static int
sqlitewriterow(migc *m, const struct trackrow *r)
{
	sqlite3_stmt *st;
	int rc, guarded = migc__sqlitesessionunguard(m);

	rc = preparetable(m, "INSERT OR REPLACE INTO \"%w\" (version, name, checksum, raw_checksum, applied_at, "
	                  "execution_ms, statements_done, statements_total, error, done_checksum) "
	                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", &st);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, r->version);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->checksum, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->raw_checksum, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->applied_at, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, r->ms);
		sqlite3_bind_int64(st, 7, r->done);
		sqlite3_bind_int64(st, 8, r->total);
		if (r->error)
			sqlite3_bind_text(st, 9, r->error, -1, SQLITE_STATIC);
		if (r->done_checksum)
			sqlite3_bind_text(st, 10, r->done_checksum, -1, SQLITE_STATIC);
		sqlite3_step(st);
		rc = sqlite3_finalize(st);
	}
	rc = rc == SQLITE_OK ? MIGC_OK : dberr(m, "cannot record the migration");
	if (guarded)
		sqlite3_exec(DB(m), "PRAGMA query_only = ON", NULL, NULL, NULL);
	return rc;
}

static int
sqlitedeleterow(migc *m, int64_t version)
{
	sqlite3_stmt *st;
	int rc;

	if (preparetable(m, "DELETE FROM \"%w\" WHERE version = ?1", &st) != SQLITE_OK)
		return dberr(m, "cannot delete the tracking row");
	sqlite3_bind_int64(st, 1, version);
	sqlite3_step(st);
	rc = sqlite3_finalize(st);
	return rc == SQLITE_OK ? MIGC_OK : dberr(m, "cannot delete the tracking row");
}

/* Set foreign key enforcement; *was (if not NULL) gets the old setting. */
static int
sqliteforeignkeys(migc *m, int on, int *was)
{
	sqlite3_stmt *st;

	if (was) {
		if (sqlite3_prepare_v2(DB(m), "PRAGMA foreign_keys", -1, &st, NULL) != SQLITE_OK)
			return dberr(m, "PRAGMA foreign_keys");
		*was = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return exec(m, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
}

/* A column's line in the schema: "table.column", then this definition. */
#define COLUMNDETAIL \
	"c.type || CASE WHEN c.\"notnull\" THEN ' NOT NULL' ELSE '' END" \
	" || CASE WHEN c.dflt_value IS NULL THEN '' ELSE ' DEFAULT ' || c.dflt_value END" \
	" || CASE WHEN c.pk THEN ' PRIMARY KEY ' || c.pk ELSE '' END" \
	" || CASE WHEN c.hidden > 1 THEN ' GENERATED' WHEN c.hidden = 1 THEN ' HIDDEN' ELSE '' END"

/* Whether a row of sqlite_schema (its name, and the table it is on) is
** part of the schema: not an sqlite_ one, not the tracking table's (?1)
** nor an ignored table's (%s, migc__ignoresql on tbl). */
#define COUNTED(name, tbl) name " NOT LIKE 'sqlite\\_%%' ESCAPE '\\' AND " tbl " <> ?1 AND NOT (%s)"

static int
sqliteschema(migc *m, char **text)
{
	static const char objects[] =
		"SELECT type, name, sql FROM sqlite_schema WHERE " COUNTED("name", "tbl_name");
	static const char columns[] =
		"SELECT t.name || '.' || c.name, " COLUMNDETAIL " "
		"FROM sqlite_schema t, pragma_table_xinfo(t.name) c "
		"WHERE t.type = 'table' AND " COUNTED("t.name", "t.name");
	struct lines l = {NULL, 0, 0};
	sqlite3_stmt *st;
	char *cond, *sql;
	int rc = MIGC_OK, pass, step, prc;

	*text = NULL;
	for (pass = 0; pass < 2 && rc == MIGC_OK; pass++) {
		cond = migc__ignoresql(m, 0, pass ? "t.name" : "tbl_name");
		sql = cond ? sqlite3_mprintf(pass ? columns : objects, cond) : NULL;
		free(cond);
		if (!sql)
			return migc__seterr(m, MIGC_NOMEM, "out of memory");
		prc = sqlite3_prepare_v2(DB(m), sql, -1, &st, NULL);
		sqlite3_free(sql);
		if (prc != SQLITE_OK)
			return dberr(m, "cannot read the schema");
		sqlite3_bind_text(st, 1, m->table, -1, SQLITE_STATIC);
		while (rc == MIGC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
			const char *a = (const char *)sqlite3_column_text(st, 0);
			const char *b = (const char *)sqlite3_column_text(st, 1);
			const char *c = pass ? NULL : (const char *)sqlite3_column_text(st, 2);

			rc = pass ? migc__linesadd(&l, "column", a ? a : "", b) : migc__linesadd(&l, a ? a : "", b ? b : "", c);
		}
		if (sqlite3_finalize(st) != SQLITE_OK && rc == MIGC_OK)
			rc = dberr(m, "cannot read the schema");
	}
	*text = migc__linesjoin(&l);
	if (rc == MIGC_OK && !*text)
		rc = MIGC_NOMEM;
	return rc == MIGC_NOMEM ? migc__seterr(m, rc, "out of memory") : rc;
}

/* gen's replay: sqlite_schema's rows by rowid and a table's columns,
** prepared once (migc__objectsopen). */
struct migc__objects {
	sqlite3 *db;
	sqlite3_stmt *rows, *columns;
	char *table;
};

int
migc__objectsopen(migc *m, struct migc__objects **out)
{
	static const char rows[] =
		"SELECT rowid, type, name, tbl_name, sql, " COUNTED("name", "tbl_name") " "
		"FROM sqlite_schema WHERE rowid BETWEEN ?2 AND ?3";
	static const char columns[] = "SELECT ?1 || '.' || c.name, " COLUMNDETAIL " FROM pragma_table_xinfo(?1) c";
	struct migc__objects *q;
	char *cond, *sql;
	int prc;

	*out = NULL;
	q = calloc(1, sizeof(*q));
	cond = migc__ignoresql(m, 0, "tbl_name");
	sql = cond ? sqlite3_mprintf(rows, cond) : NULL;
	free(cond);
	if (q)
		q->table = migc__strdup(m->table);
	if (!q || !sql || !q->table) {
		sqlite3_free(sql);
		migc__objectsclose(q);
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	q->db = DB(m);
	prc = sqlite3_prepare_v2(q->db, sql, -1, &q->rows, NULL);
	sqlite3_free(sql);
	if (prc == SQLITE_OK)
		prc = sqlite3_prepare_v2(q->db, columns, -1, &q->columns, NULL);
	if (prc != SQLITE_OK) {
		prc = dberr(m, "cannot read the schema");
		migc__objectsclose(q);
		return prc;
	}
	sqlite3_bind_text(q->rows, 1, q->table, -1, SQLITE_STATIC);
	*out = q;
	return MIGC_OK;
}

void
migc__objectsclose(struct migc__objects *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->rows);
	sqlite3_finalize(q->columns);
	free(q->table);
	free(q);
}

/* The lines of table's columns into l, as sqliteschema reads them. */
static int
columnlines(migc *m, struct migc__objects *q, const char *table, struct lines *l)
{
	int rc = MIGC_OK, step;

	sqlite3_bind_text(q->columns, 1, table, -1, SQLITE_TRANSIENT);
	while (rc == MIGC_OK && (step = sqlite3_step(q->columns)) == SQLITE_ROW)
		rc = migc__linesadd(l, "column", (const char *)sqlite3_column_text(q->columns, 0),
		                    (const char *)sqlite3_column_text(q->columns, 1));
	if (sqlite3_reset(q->columns) != SQLITE_OK && rc == MIGC_OK)
		rc = dberr(m, "cannot read the schema");
	return rc;
}

int
migc__objectsread(migc *m, struct migc__objects *q, long long from, long long to,
                  void (*fn)(void *ctx, const struct migc__object *o), void *ctx)
{
	struct lines l = {NULL, 0, 0};
	struct migc__object o;
	char *text;
	int rc = MIGC_OK, step;

	sqlite3_bind_int64(q->rows, 2, from);
	sqlite3_bind_int64(q->rows, 3, to);
	while (rc == MIGC_OK && (step = sqlite3_step(q->rows)) == SQLITE_ROW) {
		o.rowid = sqlite3_column_int64(q->rows, 0);
		o.type = (const char *)sqlite3_column_text(q->rows, 1);
		o.name = (const char *)sqlite3_column_text(q->rows, 2);
		o.tbl_name = (const char *)sqlite3_column_text(q->rows, 3);
		o.counted = sqlite3_column_int(q->rows, 5);
		if (!o.type || !o.name || !o.tbl_name) {
			rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
			break;
		}
		if (o.counted)
			rc = migc__linesadd(&l, o.type, o.name, (const char *)sqlite3_column_text(q->rows, 4));
		if (rc == MIGC_OK && o.counted && strcmp(o.type, "table") == 0)
			rc = columnlines(m, q, o.name, &l);
		text = migc__linesjoin(&l);
		if (rc == MIGC_OK && !text)
			rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
		o.lines = text;
		if (rc == MIGC_OK)
			fn(ctx, &o);
		free(text);
	}
	if (sqlite3_reset(q->rows) != SQLITE_OK && rc == MIGC_OK)
		rc = dberr(m, "cannot read the schema");
	return rc;
}

static int
sqlitegetrecorded(migc *m, int64_t version, char **fp, char **text)
{
	sqlite3_stmt *st;
	int rc = MIGC_OK;

	*fp = *text = NULL;
	if (preparetable(m, "SELECT schema_fingerprint, schema_text FROM \"%w\" WHERE version = ?1", &st) != SQLITE_OK)
		return dberr(m, "cannot read the recorded schema");
	sqlite3_bind_int64(st, 1, version);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*fp = coldup(st, 0);
		*text = coldup(st, 1);
		if ((!*fp && sqlite3_column_type(st, 0) != SQLITE_NULL) || (!*text && sqlite3_column_type(st, 1) != SQLITE_NULL))
			rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	sqlite3_finalize(st);
	return rc;
}

static int
sqlitesetrecorded(migc *m, int64_t version, const char *fp, const char *text)
{
	sqlite3_stmt *st;
	int rc;

	if (exectable(m, "UPDATE \"%w\" SET schema_text = NULL WHERE schema_text IS NOT NULL") != MIGC_OK)
		return MIGC_ERROR;
	if (preparetable(m, "UPDATE \"%w\" SET schema_fingerprint = ?1, schema_text = ?2 WHERE version = ?3", &st) != SQLITE_OK)
		return dberr(m, "cannot record the schema");
	sqlite3_bind_text(st, 1, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, version);
	sqlite3_step(st);
	rc = sqlite3_finalize(st);
	return rc == SQLITE_OK ? MIGC_OK : dberr(m, "cannot record the schema");
}

static int
sqlitequery(migc *m, const char *sql, const char *param, struct migc__rows *rows)
{
	sqlite3_stmt *st;
	size_t cap = 0, c;
	int rc = MIGC_OK, step;

	memset(rows, 0, sizeof(*rows));
	if (sqlite3_prepare_v2(DB(m), sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(m, "sqlite");
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	rows->ncols = (size_t)sqlite3_column_count(st);
	while (rc == MIGC_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		char **v = rows->ncols ? migc__grow(rows->cells, rows->n, &cap, rows->ncols * sizeof(*v)) : NULL;

		if (!v) {
			rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
			break;
		}
		rows->cells = v;
		for (c = 0; c < rows->ncols; c++) {
			v[rows->n * rows->ncols + c] = coldup(st, (int)c);
			if (!v[rows->n * rows->ncols + c] && sqlite3_column_type(st, (int)c) != SQLITE_NULL)
				rc = migc__seterr(m, MIGC_NOMEM, "out of memory");
		}
		rows->n++;
	}
	if (rc == MIGC_OK && step != SQLITE_DONE)
		rc = dberr(m, "sqlite");
	sqlite3_finalize(st);
	return rc;
}

/* The application's connection, between its transactions: migc's own
** commit each migration with its tracking row. */
static int
sqliteidle(migc *m)
{
	if (!sqlite3_get_autocommit(DB(m)))
		return migc__seterr(m, MIGC_INPUT, "the application's SQLite connection is inside a transaction: migc runs "
		              "its own (each migration commits with its tracking row); commit or roll back first");
	return MIGC_OK;
}

/* SQLite has no xApply (xExec is no round trip), no session lock (a
** write transaction is the lock) and so no lock holder to name. */
static void
sqliteclientversion(char *buf, size_t n)
{
	snprintf(buf, n, "SQLite %s", sqlite3_libversion());
}

const struct migc_driver migc_driver_sqlite = {
	.name = "sqlite",
	.xClientVersion = sqliteclientversion,
	.xOpen = sqliteopen,
	.xClose = sqliteclose,
	.xInterrupt = sqliteinterrupt,
	.xBegin = sqlitebegin,
	.xCommit = sqlitecommit,
	.xRollback = sqliterollback,
	.xExec = sqliteexec,
	.xReadTable = sqlitereadtable,
	.xWriteRow = sqlitewriterow,
	.xDeleteRow = sqlitedeleterow,
	.xForeignKeys = sqliteforeignkeys,
	.xForeignKeyCheck = migc__sqlitesessionfkcheck,
	.xSchema = sqliteschema,
	.xQuery = sqlitequery,
	.xGetRecorded = sqlitegetrecorded,
	.xSetRecorded = sqlitesetrecorded,
	.xSessionSave = sqlitesave,
	.xSessionReset = sqlitereset,
	.xUnchanged = sqliteunchanged,
	.xIdle = sqliteidle,
};

static int
wrap(migc *m, sqlite3 *db, const struct migc_set *set)
{
	if (strcmp(migc_dialect(set), "sqlite") != 0)
		return migc__seterr(m, MIGC_INPUT, "the migration set is not a sqlite set of record layout %d: run migc gen again",
		              MIGC_LAYOUT);
	if (!db)
		return migc__seterr(m, MIGC_INPUT, "migc_wrap_sqlite: the connection is NULL");
	m->drv = &migc_driver_sqlite;
	m->db = db;
	m->owned = 0;
	return sqliteidle(m);
}

int
migc_wrap_sqlite(migc **out, struct sqlite3 *db, const struct migc_set *set)
{
	int rc = migc__newhandle(out, set);

	if (rc != MIGC_OK)
		return rc;
	return migc__openresult(*out, wrap(*out, db, set));
}
