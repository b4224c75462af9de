/*
** api.c: the handle: opening, options, the error message and events.
** Migrating itself is in engine.c, reading and checking the tracking
** table in plan.c, the databases in one file per driver.
*/
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migc.h"
#include "internal.h"
#include "text.h"

static char nomem[] = "out of memory";

long long
migc__monotonicms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
migc__strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* Add a line to the handle's message (the first line, when it has none). */
static int
vappend(migc *m, const char *fmt, va_list ap)
{
	struct migc__text t = { NULL, 0, 0, 0 };

	if (m->errmsg && m->errmsg != nomem) {
		t.s = m->errmsg;
		t.n = strlen(t.s);
		t.cap = t.n + 1;
		migc__textadd(&t, "\n", 1);
	}
	migc__textvprintf(&t, fmt, ap);
	if (t.nomem) {
		free(t.s);
		m->errmsg = nomem;
		return MIGC_NOMEM;
	}
	m->errmsg = t.s;
	return MIGC_OK;
}

void
migc__clearerr(migc *m)
{
	if (m->errmsg != nomem)
		free(m->errmsg);
	m->errmsg = NULL;
}

char *
migc__setaside(migc *m)
{
	char *kept = m->errmsg;

	m->errmsg = NULL;
	return kept;
}

void
migc__putback(migc *m, char *kept)
{
	migc__clearerr(m);
	m->errmsg = kept;
}

int
migc__seterr(migc *m, int rc, const char *fmt, ...)
{
	va_list ap;

	migc__clearerr(m);
	va_start(ap, fmt);
	if (vappend(m, fmt, ap) != MIGC_OK)
		rc = MIGC_NOMEM;
	va_end(ap);
	return rc;
}

int
migc__adderr(migc *m, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vappend(m, fmt, ap);
	va_end(ap);
	return rc;
}

void
migc__emit(migc *m, enum migc_event_kind kind, const struct migc_migration *mig,
     long long ms, const char *text, size_t len)
{
	struct migc_event ev;

	if (kind == MIGC_EV_APPLIED || kind == MIGC_EV_REVERTED || kind == MIGC_EV_BASELINED || kind == MIGC_EV_ADOPTED)
		m->nchanged++;
	if (!m->event)
		return;
	ev.kind = kind;
	ev.migration = mig;
	ev.ms = ms;
	ev.text = text;
	ev.length = len;
	m->incallback++;
	m->event(m->ctx, &ev);
	m->incallback--;
}

int
migc__newhandle(migc **out, const struct migc_set *set)
{
	migc *m;

	if (!out)
		return MIGC_INPUT;
	*out = m = calloc(1, sizeof(*m));
	if (!m)
		return MIGC_NOMEM;
	m->set = set;
	m->lock_timeout = 60;
	m->ddl_retries = -1;
	m->jitter = (unsigned long long)(uintptr_t)m ^ (unsigned long long)migc__monotonicms();
	m->readmark = -1;
	m->fkwas = m->fkcur = -1;
	m->appbusy = -1;
	strcpy(m->table, "migc_migrations");
	return MIGC_OK;
}

/*
** The result of opening or wrapping. A handle that failed keeps its
** message and answers every later call with rc (checkhandle), holding
** no connection: only migc_errmsg and migc_close have anything to do.
*/
int
migc__openresult(migc *m, int rc)
{
	if (rc == MIGC_OK)
		return rc;
	if (m->drv && m->db)
		m->drv->xClose(m);
	m->db = NULL;
	m->failed = rc;
	return rc;
}

/*
** The guard each public entry point takes before anything else:
** MIGC_INPUT for a NULL handle; MIGC_MISUSE from the handle's own event
** callback, inside a call that is not done with the handle (message
** untouched: it is that call's); for a handle that failed to open or
** wrap, that failure again with its message untouched. useconn: the call
** uses the connection, so an application's connection must be idle
** (xIdle) as well; the setters pass 0.
*/
int
migc__checkhandle(migc *m, int useconn)
{
	if (!m)
		return MIGC_INPUT;
	if (m->incallback)
		return MIGC_MISUSE;
	if (m->failed)
		return m->failed;
	if (useconn && m->interrupted)
		return migc__seterr(m, MIGC_INTERRUPTED, "interrupted (migc_interrupt): nothing more runs on this handle");
	if (useconn && !m->owned && m->drv->xIdle)
		return m->drv->xIdle(m);
	return MIGC_OK;
}

/* Only a flag and the driver's cancel: this runs in signal handlers. */
int
migc_interrupt(migc *m)
{
	if (!m)
		return MIGC_INPUT;
	m->interrupted = 1;
	if (!m->failed && m->db && m->drv && m->drv->xInterrupt)
		m->drv->xInterrupt(m);
	return MIGC_OK;
}

/*
** The database a set is for, decided here and nowhere else: its driver's
** name ("sqlite" or "postgres"). The driver is what runs the set's SQL,
** so it is authoritative; the dialect string is never read. "" for a
** NULL set, one of another record layout, or one that names no driver.
** (Names, not the drivers' addresses, so that an application links only
** the driver its set needs.)
*/
const char *
migc_dialect(const struct migc_set *set)
{
	if (!set || set->layout != MIGC_LAYOUT || !set->driver)
		return "";
	return set->driver->name;
}

static int
opendb(migc *m, const char *url, const struct migc_set *set, int flags)
{
	const char *target, *dialect = migc_dialect(set);
	enum urlkind kind;
	int rc;

	m->readonly = (flags & MIGC_READONLY) != 0;
	if (!set || set->layout != MIGC_LAYOUT)
		return migc__seterr(m, MIGC_INPUT, "the migration set was generated for another record layout (%d, runtime has %d): run migc gen again",
		              set ? set->layout : 0, MIGC_LAYOUT);
	if (!*dialect)
		return migc__seterr(m, MIGC_INPUT, "the migration set names no database driver (its driver is NULL): "
		              "generate it with migc gen");
	kind = migc__urlkind(url, &target);
	if (kind == URL_BAD) {
		char *safe = migc__redacturl(url ? url : "");

		rc = migc__seterr(m, MIGC_INPUT, "unsupported database URL '%s': expected sqlite:PATH, sqlite::memory: or postgres://...",
		            safe ? safe : "");
		free(safe);
		return rc;
	}
	if (strcmp(dialect, kind == URL_SQLITE ? "sqlite" : "postgres") != 0)
		return migc__seterr(m, MIGC_INPUT, "these migrations were generated for %s, not for a %s database",
		              dialect, kind == URL_SQLITE ? "sqlite" : "postgres");
	m->drv = set->driver;
	m->owned = 1;
	return m->drv->xOpen(m, target, flags);
}

int
migc_open(migc **out, const char *url, const struct migc_set *set, int flags)
{
	int rc = migc__newhandle(out, set);

	if (rc != MIGC_OK)
		return rc;
	return migc__openresult(*out, opendb(*out, url, set, flags));
}

void
migc_close(migc *m)
{
	if (!m || m->incallback)
		return;
	if (m->drv && m->db)
		m->drv->xClose(m);
	migc__clearerr(m);
	free(m);
}

const char *
migc_errmsg(migc *m)
{
	if (!m)
		return nomem;
	return m->errmsg ? m->errmsg : "";
}

/* Check a table or schema name from the caller: 1 to 63 bytes (what
** PostgreSQL keeps), no control characters. Drivers quote it. */
static int
checkident(migc *m, const char *name, const char *what)
{
	size_t i, n;

	if (!name)
		return migc__seterr(m, MIGC_INPUT, "invalid %s name: NULL", what);
	n = strlen(name);
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			break;
	if (n == 0 || n > 63 || i < n)
		return migc__seterr(m, MIGC_INPUT, "invalid %s name: it must be 1 to 63 bytes without control characters", what);
	return MIGC_OK;
}

int
migc_set_table(migc *m, const char *name)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK)
		rc = checkident(m, name, "tracking table (migc_set_table)");
	if (rc == MIGC_OK)
		memcpy(m->table, name, strlen(name) + 1);
	return rc;
}

/* A PostgreSQL-only setting: MIGC_INPUT, naming it and why, on SQLite. */
static int
pgonly(migc *m, const char *setter, const char *why)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK && strcmp(m->drv->name, "postgres") != 0)
		rc = migc__seterr(m, MIGC_INPUT, "%s is for PostgreSQL: %s", setter, why);
	return rc;
}

#define NOLOCKS "SQLite's only lock is the migration lock (migc_set_lock_timeout)"

int
migc_set_schema(migc *m, const char *schema)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK)
		rc = checkident(m, schema, "schema (migc_set_schema)");
	if (rc == MIGC_OK)
		memcpy(m->schema, schema, strlen(schema) + 1);
	return rc;
}

int
migc_set_create_schema(migc *m, int create)
{
	int rc = pgonly(m, "migc_set_create_schema", "SQLite has no schemas to make");

	if (rc == MIGC_OK)
		m->create_schema = create != 0;
	return rc;
}

const char *
migc_tracking_schema(migc *m)
{
	return m && m->tableschema[0] ? m->tableschema : NULL;
}

int
migc_set_resume(migc *m, int resume)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK)
		m->resume = resume != 0;
	return rc;
}

int
migc_set_single_transaction(migc *m, int single)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK)
		m->single_transaction = single != 0;
	return rc;
}

/* The most seconds whose milliseconds fit SQLite's int busy timeout. */
#define MAXLOCKTIMEOUT (INT_MAX / 1000)

int
migc_set_lock_timeout(migc *m, int seconds)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK && (seconds < 0 || seconds > MAXLOCKTIMEOUT))
		rc = migc__seterr(m, MIGC_INPUT, "lock timeout %d s: it must be 0 to %d seconds", seconds, MAXLOCKTIMEOUT);
	if (rc == MIGC_OK)
		m->lock_timeout = seconds;
	return rc;
}

/* A PostgreSQL timeout for setter: ms (0: none) into *field. */
static int
settimeout(migc *m, const char *setter, const char *what, int ms, int *field)
{
	int rc = pgonly(m, setter, NOLOCKS);

	if (rc == MIGC_OK && ms < 0)
		rc = migc__seterr(m, MIGC_INPUT, "%s %d ms: it must be 0 to %d ms", what, ms, INT_MAX);
	if (rc == MIGC_OK)
		*field = ms;
	return rc;
}

long
migc__locktimeout(const migc *m, const struct migc_script *sc)
{
	if (sc->lock_timeout_ms != 0)
		return sc->lock_timeout_ms > 0 ? sc->lock_timeout_ms : 0;
	return m->ddl_lock_timeout;
}

int
migc_set_ddl_lock_timeout(migc *m, int ms)
{
	return settimeout(m, "migc_set_ddl_lock_timeout", "DDL lock timeout", ms, m ? &m->ddl_lock_timeout : NULL);
}

int
migc_set_statement_timeout(migc *m, int ms)
{
	return settimeout(m, "migc_set_statement_timeout", "statement timeout", ms, m ? &m->statement_timeout : NULL);
}

int
migc_set_ddl_retries(migc *m, int n)
{
	int rc = pgonly(m, "migc_set_ddl_retries", NOLOCKS);

	if (rc == MIGC_OK && (n < 0 || n > 1000))
		rc = migc__seterr(m, MIGC_INPUT, "DDL retries %d: it must be 0 to 1000", n);
	if (rc == MIGC_OK)
		m->ddl_retries = n;
	return rc;
}

int
migc_set_allow_out_of_order(migc *m, int allow)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK)
		m->allow_out_of_order = allow != 0;
	return rc;
}

int
migc_set_event(migc *m, migc_event_fn fn, void *ctx)
{
	int rc = migc__checkhandle(m, 0);

	if (rc == MIGC_OK) {
		m->event = fn;
		m->ctx = ctx;
	}
	return rc;
}

const char *
migc_libversion(void)
{
	return MIGC_VERSION;
}

void
migc_free(void *p)
{
	free(p);
}
