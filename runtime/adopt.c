/*
** adopt.c: migc_adopt, taking over a database that another migration tool
** migrated. That tool's tracking table is read, never changed (the team
** can go back to the tool), and checked against the set: a half-applied
** state, a version the set lacks or a checksum the tool recorded that
** the file no longer has is refused, naming each. Then every version the
** tool applied is recorded in migc's table as applied, without running
** anything, marked with the tool's name, in one transaction under the
** migration lock.
**
** How each tool records what it applied (the version followed):
**   goose 3 (goose_db_version): a row per up or down, the newest row of a
**     version (by id) says whether it is applied; version 0 is goose's own.
**   dbmate 2 (schema_migrations): a row per applied version, as text.
**   golang-migrate 4 (schema_migrations): one row, the newest applied
**     version, and dirty when a migration failed part way; every version
**     up to it is applied.
**   sqlx 0.8 (_sqlx_migrations): a row per version, success false when it
**     failed part way, checksum the SHA-384 of the file.
**   sql-migrate 1 (gorp_migrations): a row per applied file, id its name.
**   Flyway 10 (flyway_schema_history): a row per run, in installed_rank
**     order, the newest of a version telling its state: SQL applied it,
**     UNDO_SQL or DELETE undid it, success false is a failed run;
**     BASELINE V stands for every version up to V; the checksum is the
**     CRC-32 of the file's lines without their line endings, as a signed
**     32-bit integer.
**   refinery 0.8 (refinery_schema_history): a row per applied version,
**     checksum the SipHash-1-3 (key 0) of the name, the version as a
**     32-bit integer and the SQL, as Rust's Hash writes them.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "engine.h"
#include "version.h"
#include "sha384.h"
#include "siphash.h"
#include "flyway.h"

/* The migrations a tool's table says are applied, in version order; and
** which of the set's repeatable migrations it ran as they are now
** (reps[i] for repeatables[i]: Flyway's). */
struct adopted {
	const struct migc_migration **v;
	size_t n;
	unsigned char *reps;
};

struct tool;
typedef int (*readfn)(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);

struct tool {
	const char *name;               /* as --from names it */
	const char *table;              /* its tracking table's default name */
	const char *columns[4];         /* columns its table has */
	const char *without;            /* a column it does not have (NULL: none) */
	const char *select;             /* %s: the quoted table */
	const char *select_sqlite;      /* when SQLite's differs (NULL: select) */
	readfn read;
	const char *fixdirty;           /* how the tool's user repairs a half-applied migration */
};

static int readgoose(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);
static int readlist(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);
static int readgolang(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);
static int readsqlx(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);
static int readfiles(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);
static int readflyway(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);
static int readrefinery(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out);

static const struct tool tools[] = {
	{ "goose", "goose_db_version", { "id", "version_id", "is_applied", NULL }, NULL,
	  "SELECT version_id, CASE WHEN is_applied THEN 1 ELSE 0 END FROM %s ORDER BY id", NULL, readgoose, NULL },
	{ "dbmate", "schema_migrations", { "version", NULL }, "dirty",
	  "SELECT version FROM %s ORDER BY version", NULL, readlist, NULL },
	{ "golang-migrate", "schema_migrations", { "version", "dirty", NULL }, NULL,
	  "SELECT version, CASE WHEN dirty THEN 1 ELSE 0 END FROM %s", NULL, readgolang,
	  "fix the database by hand, then run migrate force V (V: the version that is now fully applied)" },
	{ "sqlx", "_sqlx_migrations", { "version", "success", "checksum", NULL }, NULL,
	  "SELECT version, CASE WHEN success THEN 1 ELSE 0 END, encode(checksum, 'hex') FROM %s ORDER BY version",
	  "SELECT version, CASE WHEN success THEN 1 ELSE 0 END, lower(hex(checksum)) FROM %s ORDER BY version",
	  readsqlx, "fix the database by hand, then delete its row from _sqlx_migrations and run it again with sqlx "
	  "(or make the row's success true if the fix completed it)" },
	{ "sql-migrate", "gorp_migrations", { "id", NULL }, NULL,
	  "SELECT id FROM %s ORDER BY id", NULL, readfiles, NULL },
	{ "flyway", "flyway_schema_history", { "installed_rank", "version", "type", "checksum" }, NULL,
	  "SELECT version, type, CASE WHEN success THEN 1 ELSE 0 END, checksum, script FROM %s ORDER BY installed_rank",
	  NULL, readflyway, "fix the database by hand, then run flyway repair, which removes the failed row" },
	{ "refinery", "refinery_schema_history", { "version", "name", "checksum", NULL }, NULL,
	  "SELECT version, name, checksum FROM %s ORDER BY version", NULL, readrefinery, NULL },
};

void
migc__freerows(struct migc__rows *rows)
{
	size_t i;

	for (i = 0; rows->cells && i < rows->n * rows->ncols; i++)
		free(rows->cells[i]);
	free(rows->cells);
	memset(rows, 0, sizeof(*rows));
}

static const struct tool *
findtool(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i].name, name) == 0)
			return &tools[i];
	return NULL;
}

/* A table name of letters, digits and '_' (not first a digit), at most 63
** bytes; on PostgreSQL also SCHEMA.TABLE. Writes it quoted to q. */
static int
quotetable(migc *m, const char *name, char *q, size_t qsize)
{
	const char *p = name, *part = name;
	size_t o = 0;
	int dots = strcmp(m->drv->name, "postgres") == 0 ? 1 : 0;       /* how many more '.' may come */

	q[o++] = '"';
	for (;; p++) {
		int c = (unsigned char)*p;

		if (c == '\0' || (c == '.' && dots-- > 0 && part != p && o + 3 < qsize)) {
			if (p == part || p - part > 63)
				return -1;
			if (c == '\0')
				break;
			q[o++] = '"';
			q[o++] = '.';
			q[o++] = '"';
			part = p + 1;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9' && p != part)) ||
		    o + 2 >= qsize)
			return -1;
		q[o++] = (char)c;
	}
	q[o++] = '"';
	q[o] = '\0';
	return 0;
}

/* The migration of the set a tool recorded as version s (text), into
** out; a version the set lacks, or one that is not a version, is added to
** the handle's message (*bad counts them). */
static void
addversion(migc *m, const struct tool *tl, const char *s, struct adopted *out, int *bad)
{
	const struct migc_migration *mig = NULL;
	int64_t v;

	if (!s || migc__parseversion(s, &v) != 0) {
		++*bad;
		migc__adderr(m, "%s's table holds the version '%s', which is not a migc version "
		             "(1 to 9223372036854775807)", tl->name, s ? s : "NULL");
		return;
	}
	if (v != 0)
		mig = migc_find(m->set, v);
	if (!mig) {
		++*bad;
		migc__adderr(m, "%s applied version %s, which this binary's set does not have (the database is ahead "
		             "of this binary, or the files were read in another layout)", tl->name, s);
		return;
	}
	out->v[out->n++] = mig;
}

/* A row's version (its first cell) and its place, to sort by both. */
struct rowref {
	const char *version;
	size_t row;
};

static int
byrowversion(const void *a, const void *b)
{
	const struct rowref *x = a, *y = b;
	int c = strcmp(x->version, y->version);

	return c ? c : (x->row > y->row) - (x->row < y->row);
}

/* newest[i]: row i is the last row of its version (its first cell), in
** O(n log n) for tables of many rows. malloc'd; NULL: out of memory. */
static unsigned char *
newestrows(const struct migc__rows *rows)
{
	unsigned char *newest = calloc(rows->n + 1, 1);
	struct rowref *ref = malloc((rows->n + 1) * sizeof(*ref));
	size_t i;

	if (!newest || !ref) {
		free(newest);
		free(ref);
		return NULL;
	}
	for (i = 0; i < rows->n; i++) {
		ref[i].version = rows->cells[i * rows->ncols] ? rows->cells[i * rows->ncols] : "";
		ref[i].row = i;
	}
	qsort(ref, rows->n, sizeof(*ref), byrowversion);
	for (i = 0; i < rows->n; i++)
		if (i + 1 == rows->n || strcmp(ref[i].version, ref[i + 1].version) != 0)
			newest[ref[i].row] = 1;
	free(ref);
	return newest;
}

/* Rows of (version, is_applied) in the order goose wrote them: the last
** row of each version tells its state; version 0 is goose's first row. */
static int
readgoose(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	unsigned char *newest = newestrows(rows);
	size_t i;
	int bad = 0;

	if (!newest)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (i = 0; i < rows->n; i++) {
		const char *v = rows->cells[i * 2], *applied = rows->cells[i * 2 + 1];

		if (v && strcmp(v, "0") != 0 && applied && strcmp(applied, "1") == 0 && newest[i])
			addversion(m, tl, v, out, &bad);
	}
	free(newest);
	return bad ? MIGC_VERIFY : MIGC_OK;
}

/* One row per applied version. */
static int
readlist(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < rows->n; i++)
		addversion(m, tl, rows->cells[i * rows->ncols], out, &bad);
	return bad ? MIGC_VERIFY : MIGC_OK;
}

/* One row: the newest version applied, and whether it is dirty. */
static int
readgolang(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	const struct migc_migration *last;
	unsigned long i;
	int bad = 0;

	if (rows->n == 0)
		return MIGC_OK;
	if (rows->n > 1)
		return migc__seterr(m, MIGC_VERIFY, "golang-migrate's table holds %lu rows, where golang-migrate keeps one "
		                    "(its newest version): this is not its table, or it was changed by hand",
		                    (unsigned long)rows->n);
	if (rows->cells[1] && strcmp(rows->cells[1], "1") == 0)
		return migc__seterr(m, MIGC_VERIFY, "golang-migrate left version %s dirty: a migration failed part way "
		                    "(%s)", rows->cells[0] ? rows->cells[0] : "NULL", tl->fixdirty);
	if (rows->cells[0] && strcmp(rows->cells[0], "-1") == 0)
		return MIGC_OK;         /* golang-migrate's "no version": everything was reverted */
	addversion(m, tl, rows->cells[0], out, &bad);
	if (bad)
		return MIGC_VERIFY;
	last = out->v[0];
	out->n = 0;
	for (i = 0; i < m->set->count && m->set->migrations[i].version <= last->version; i++)
		out->v[out->n++] = &m->set->migrations[i];
	return MIGC_OK;
}

/* A row per version: (version, success, checksum as hex). sqlx hashed
** the file as it read it; migc embeds it with LF line endings and no
** byte-order mark, so a file checked out otherwise does not match. */
static int
readsqlx(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	char sum[97];
	size_t i;
	int bad = 0;

	for (i = 0; i < rows->n; i++) {
		const char *v = rows->cells[i * 3], *ok = rows->cells[i * 3 + 1], *recorded = rows->cells[i * 3 + 2];
		size_t before = out->n;

		if (!ok || strcmp(ok, "1") != 0) {
			bad++;
			migc__adderr(m, "sqlx recorded version %s as failed (success = false): it ran part way "
			             "(%s)", v ? v : "NULL", tl->fixdirty);
			continue;
		}
		addversion(m, tl, v, out, &bad);
		if (out->n == before)
			continue;
		migc__sha384hex(out->v[before]->up.sql, out->v[before]->up.length, sum);
		if (!recorded || strcmp(sum, recorded) != 0) {
			bad++;
			migc__adderr(m, "%s was edited after sqlx applied it: sqlx recorded the SHA-384 %.16s..., "
			             "the file's is %.16s... (restore the file as it was applied; a file sqlx read with CRLF "
			             "line endings or a byte-order mark differs from the LF text migc embeds)",
			             out->v[before]->up.file, recorded ? recorded : "NULL", sum);
		}
	}
	return bad ? MIGC_VERIFY : MIGC_OK;
}

/* A row per applied file, by its file name. */
static int
readfiles(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	const struct migc_migration *mig;
	size_t i;
	int bad = 0;
	int64_t v;

	for (i = 0; i < rows->n; i++) {
		/* The file's version, then its name: no walk of the set per row. */
		const char *id = rows->cells[i];
		const char *end = id ? migc__versiondigits(id, &v) : NULL;

		mig = end && end != id ? migc_find(m->set, v) : NULL;
		if (!mig || strcmp(mig->up.file, id) != 0) {
			bad++;
			migc__adderr(m, "%s applied %s, which this binary's set does not have (the database is "
			             "ahead of this binary, or the file was renamed)", tl->name, id ? id : "NULL");
			continue;
		}
		out->v[out->n++] = mig;
	}
	return bad ? MIGC_VERIFY : MIGC_OK;
}

/* mig against Flyway's version ver[0..n): by the version in its file's
** name (V1.1__x.sql), or, for a set in migc's layout (imported), by its
** number, when ver is one (else *bad). <0, 0 or >0. */
static int
flyorder(const struct migc_migration *mig, const char *ver, size_t n, int *bad)
{
	const char *fv;
	size_t fn = migc__flyfilever(mig->up.file, &fv);
	int64_t v;

	if (fn)
		return migc__flycmp(fv, fn, ver, n);
	if (migc__parseversion(ver, &v) != 0) {
		*bad = 1;
		return 0;
	}
	return mig->version < v ? -1 : mig->version > v;
}

/* How many of m's set come before Flyway's version ver (with atorbelow,
** also those equal to it): a binary search, since the set is in Flyway's
** order under either Flyway layout (flyway-dotted maps versions in it).
** -1 when ver cannot be compared. */
static long
flyrank(migc *m, const char *ver, int atorbelow)
{
	unsigned long lo = 0, hi = m->set->count;
	size_t n = strlen(ver);
	int bad = 0;

	while (lo < hi && !bad) {
		unsigned long mid = lo + (hi - lo) / 2;
		int c = flyorder(&m->set->migrations[mid], ver, n, &bad);

		if (c < 0 || (c == 0 && atorbelow))
			lo = mid + 1;
		else
			hi = mid;
	}
	return bad ? -1 : (long)lo;
}

/* Add the migration Flyway's version s is to out, as addversion does. */
static void
addflyway(migc *m, const struct tool *tl, const char *s, struct adopted *out, int *bad)
{
	long i = flyrank(m, s, 0);
	int b = 0;

	if (i < 0) {
		++*bad;
		migc__adderr(m, "Flyway's table holds the version '%s', which is not a migc version (1 to "
		             "9223372036854775807; dotted versions are read with their files, --layout flyway-dotted)", s);
		return;
	}
	if ((unsigned long)i < m->set->count && flyorder(&m->set->migrations[i], s, strlen(s), &b) == 0) {
		out->v[out->n++] = &m->set->migrations[i];
		return;
	}
	++*bad;
	migc__adderr(m, "%s applied version %s, which this binary's set does not have (the database is ahead "
	             "of this binary, or the files were read in another layout)", tl->name, s);
}

/* Flyway ran the repeatable migration script (successfully, with the
** checksum sum, or not: NULL): whether migc records it as run, because it
** ran as the set's file now is (else up runs it, as Flyway would). */
static void
flyrepeatable(migc *m, const char *script, const char *sum, struct adopted *out)
{
	unsigned long i;

	for (i = 0; i < m->set->nrepeatables; i++) {
		const struct migc_migration *r = &m->set->repeatables[i];

		if (strcmp(r->up.file, script) == 0)
			out->reps[i] = sum && strtol(sum, NULL, 10) == migc__flychecksum(r->up.sql, r->up.length);
	}
}

/* Rows of (version, type, success, checksum, script), in installed_rank
** order. */
static int
readflyway(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	unsigned char *newest = newestrows(rows);
	long k, upto = 0;
	size_t i, j, before;
	int bad = 0;

	if (!newest)
		return migc__seterr(m, MIGC_NOMEM, "out of memory");
	for (i = 0; i < rows->n; i++) {
		char *const *c = rows->cells + i * 5;
		const char *type = c[1] ? c[1] : "", *script = c[4] ? c[4] : "?";

		if (!c[0]) {
			/* A repeatable migration: each run a row; the newest says. */
			if (strcmp(type, "SQL") == 0)
				flyrepeatable(m, script, c[2] && strcmp(c[2], "1") == 0 ? c[3] : NULL, out);
			continue;
		}
		if (!newest[i] || strcmp(type, "SCHEMA") == 0 || strcmp(type, "UNDO_SQL") == 0 ||
		    strcmp(type, "DELETE") == 0)
			continue;       /* a later row says more; Flyway's own; undone */
		if (!c[2] || strcmp(c[2], "1") != 0) {
			bad++;
			migc__adderr(m, "Flyway recorded version %s (%s) as failed (success = false): it ran part way (%s)",
			             c[0], script, tl->fixdirty);
		} else if (strcmp(type, "BASELINE") == 0) {
			long r = flyrank(m, c[0], 1);

			if (r < 0)
				addflyway(m, tl, c[0], out, &bad);      /* says why it cannot be read */
			else if (r > upto)
				upto = r;
		} else if (strcmp(type, "SQL") != 0) {
			bad++;
			migc__adderr(m, "Flyway recorded version %s (%s) as a %s migration, which migc cannot read (only SQL "
			             "ones)", c[0], script, type);
		} else {
			before = out->n;
			addflyway(m, tl, c[0], out, &bad);
			if (out->n > before && c[3] &&
			    strtol(c[3], NULL, 10) != migc__flychecksum(out->v[before]->up.sql, out->v[before]->up.length)) {
				bad++;
				migc__adderr(m, "%s was edited after Flyway applied it: Flyway recorded the checksum %s, the "
				             "file's is %ld (restore the file as it was applied)", out->v[before]->up.file, c[3],
				             migc__flychecksum(out->v[before]->up.sql, out->v[before]->up.length));
			}
		}
	}
	/* BASELINE V: Flyway counts every version up to V as applied. */
	for (k = 0; k < upto; k++) {
		for (j = 0; j < out->n && out->v[j] != &m->set->migrations[k]; j++)
			;
		if (j == out->n)
			out->v[out->n++] = &m->set->migrations[k];
	}
	free(newest);
	return bad ? MIGC_VERIFY : MIGC_OK;
}

/* refinery's checksum of mig: SipHash-1-3 over its name and a 0xFF, its
** version as 4 little-endian bytes, its SQL and a 0xFF, in decimal. */
static int
refinerychecksum(const struct migc_migration *mig, char out[24])
{
	size_t nn = strlen(mig->name), ns = mig->up.length, n = 0;
	unsigned char *b = malloc(nn + ns + 6);
	uint32_t v = (uint32_t)mig->version;
	int k;

	if (!b)
		return -1;
	memcpy(b, mig->name, nn);
	n = nn;
	b[n++] = 0xFF;
	for (k = 0; k < 4; k++)
		b[n++] = (unsigned char)(v >> (8 * k));
	memcpy(b + n, mig->up.sql, ns);
	n += ns;
	b[n++] = 0xFF;
	snprintf(out, 24, "%llu", (unsigned long long)migc__siphash13(b, n));
	free(b);
	return 0;
}

/* A row per applied version: (version, name, checksum). refinery hashed
** the file as it read it, which migc embeds with LF line endings. */
static int
readrefinery(migc *m, const struct tool *tl, const struct migc__rows *rows, struct adopted *out)
{
	char sum[24];
	size_t i, before;
	int bad = 0;

	for (i = 0; i < rows->n; i++) {
		const char *recorded = rows->cells[i * 3 + 2];

		before = out->n;
		addversion(m, tl, rows->cells[i * 3], out, &bad);
		if (out->n == before)
			continue;
		if (refinerychecksum(out->v[before], sum) != 0)
			return migc__seterr(m, MIGC_NOMEM, "out of memory");
		if (!recorded || strcmp(recorded, sum) != 0) {
			bad++;
			migc__adderr(m, "%s was edited after refinery applied it: refinery recorded the checksum %s, the "
			             "file's is %s (restore the file as it was applied; a file refinery read with CRLF line "
			             "endings differs from the LF text migc embeds)", out->v[before]->up.file,
			             recorded ? recorded : "NULL", sum);
		}
	}
	return bad ? MIGC_VERIFY : MIGC_OK;
}

static int
byversion(const void *a, const void *b)
{
	int64_t x = (*(const struct migc_migration *const *)a)->version;
	int64_t y = (*(const struct migc_migration *const *)b)->version;

	return (x > y) - (x < y);
}

/* The column names of the table name (quoted q): none when it is missing. */
static int
tablecolumns(migc *m, const char *name, const char *q, struct migc__rows *cols)
{
	const int sqlite = strcmp(m->drv->name, "sqlite") == 0;

	return m->drv->xQuery(m, sqlite ? "SELECT name FROM pragma_table_info(?1)"
	                      : "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 "
	                        "AND NOT attisdropped", sqlite ? name : q, cols);
}

static int
hascolumn(const struct migc__rows *cols, const char *name)
{
	size_t i;

	for (i = 0; i < cols->n; i++)
		if (cols->cells[i] && strcmp(cols->cells[i], name) == 0)
			return 1;
	return 0;
}

/* Check that the tool's table (quoted q, named name) is there and has the
** tool's columns. */
static int
checkcolumns(migc *m, const struct tool *tl, const char *name, const char *q)
{
	struct migc__rows cols;
	size_t k;
	int rc;

	rc = tablecolumns(m, name, q, &cols);
	if (rc == MIGC_OK && cols.n == 0)
		rc = migc__seterr(m, MIGC_INPUT, "there is no table %s here, where %s keeps what it applied (name "
		                  "it with migc_adopt's table when it has another name)", name, tl->name);
	for (k = 0; rc == MIGC_OK && k <= 4; k++) {
		const char *want = k < 4 ? tl->columns[k] : tl->without;

		if (want && hascolumn(&cols, want) != (k < 4))
			rc = migc__seterr(m, MIGC_INPUT, "the table %s is not %s's: it %s a column %s%s", name, tl->name,
			                  k < 4 ? "has no" : "has", want,
			                  strcmp(tl->name, "dbmate") == 0 ? " (golang-migrate's table of that name has: "
			                  "migc_adopt from golang-migrate)" : strcmp(tl->name, "golang-migrate") == 0 ?
			                  " (dbmate's table of that name has none: migc_adopt from dbmate)" : "");
	}
	migc__freerows(&cols);
	return rc;
}

/* Read the tool's table (quoted q) into out, what it says is applied,
** by the tool's reader (out->v malloc'd: the caller frees it, also on
** failure). */
static int
readapplied(migc *m, const struct tool *tl, const char *q, struct adopted *out)
{
	struct migc__rows rows;
	char sql[512];
	int rc;

	out->v = NULL;
	out->n = 0;
	out->reps = NULL;
	snprintf(sql, sizeof(sql), strcmp(m->drv->name, "sqlite") == 0 && tl->select_sqlite ? tl->select_sqlite
	         : tl->select, q);
	rc = m->drv->xQuery(m, sql, NULL, &rows);
	if (rc == MIGC_OK) {
		out->v = malloc((rows.n + m->set->count + 1) * sizeof(*out->v));
		out->reps = calloc(m->set->nrepeatables + 1, 1);
		rc = out->v && out->reps ? tl->read(m, tl, &rows, out) : migc__seterr(m, MIGC_NOMEM, "out of memory");
	}
	migc__freerows(&rows);
	return rc;
}

/* Whether the tool's table (quoted q) records anything applied: any row
** its reader takes, or one it refuses. The reader's messages are dropped. */
static int
appliedany(migc *m, const struct tool *tl, const char *q, int *any)
{
	struct adopted out;
	int rc = readapplied(m, tl, q, &out);

	*any = rc == MIGC_VERIFY || (rc == MIGC_OK && out.n > 0);
	if (rc == MIGC_VERIFY)
		rc = MIGC_OK;
	free(out.v);
	free(out.reps);
	if (rc == MIGC_OK)
		migc__clearerr(m);
	return rc;
}

int
migc__othertool(migc *m, const char **tool, const char **table)
{
	struct migc__rows cols;
	char q[160];
	size_t i;
	int rc = MIGC_OK, any;

	*tool = *table = NULL;
	for (i = 0; rc == MIGC_OK && !*tool && i < sizeof(tools) / sizeof(tools[0]); i++) {
		const struct tool *tl = &tools[i];

		if (migc__ignoredtable(m, tl->table) || strcmp(m->table, tl->table) == 0 ||
		    (i > 0 && strcmp(tools[i - 1].table, tl->table) == 0))
			continue;       /* left out, migc's own (--table), or looked at already */
		quotetable(m, tl->table, q, sizeof(q));
		rc = tablecolumns(m, tl->table, q, &cols);
		if (rc == MIGC_OK && cols.n > 0) {
			/* dbmate's schema_migrations, or golang-migrate's (dirty):
			** named as what it looks like, and counted when it records
			** something applied. A table without the tool's columns, or
			** one migc cannot read (another role's, other types), is not
			** the tool's: it is no reason to refuse. */
			size_t k;
			int theirs = 1;

			if (tl->without && hascolumn(&cols, tl->without))
				tl = &tools[i + 1];
			for (k = 0; k < 4 && tl->columns[k]; k++)
				theirs &= hascolumn(&cols, tl->columns[k]);
			any = 0;
			if (theirs && (rc = appliedany(m, tl, q, &any)) == MIGC_ERROR && !m->interrupted) {
				migc__clearerr(m);
				rc = MIGC_OK;
				any = 0;
			}
			if (any) {
				*tool = tl->name;
				*table = tl->table;
			}
		}
		migc__freerows(&cols);
	}
	/* A read that migc_interrupt cancelled tells nothing: not "no tool". */
	if (m->interrupted && rc != MIGC_NOMEM)
		rc = migc__seterr(m, MIGC_INTERRUPTED, "interrupted while reading the other migration tools' tables");
	return rc;
}

/* rc, or, when migc_interrupt stopped the run (its transaction is rolled
** back: a stop that comes before the commit is honoured there),
** MIGC_INTERRUPTED saying that nothing was adopted. */
static int
adoptstopped(migc *m, int rc)
{
	if (rc == MIGC_OK || rc == MIGC_NOMEM || !m->interrupted)
		return rc;
	return migc__seterr(m, MIGC_INTERRUPTED, "interrupted: nothing was adopted (its transaction was rolled back)");
}

static int
adoptrun(migc *m, const char *toolname, const char *table, int dryrun)
{
	const struct tool *tl = findtool(toolname);
	struct adopted out = { NULL, 0, NULL };
	struct trackrow r;
	struct track t;
	char q[160], at[32], origin[64];
	size_t i;
	int rc;

	migc__clearerr(m);
	if (!tl)
		return migc__seterr(m, MIGC_INPUT, "migc_adopt: '%s' is not a tool migc adopts from (goose, dbmate, "
		                    "golang-migrate, sqlx, sql-migrate, flyway, refinery)", toolname ? toolname : "NULL");
	if (!table)
		table = tl->table;
	if (quotetable(m, table, q, sizeof(q)) != 0)
		return migc__seterr(m, MIGC_INPUT, "migc_adopt: '%s' is not a table name migc reads (letters, digits and '_'%s, "
		                    "at most 63 bytes)", table, strcmp(m->drv->name, "postgres") == 0 ? ", or SCHEMA.TABLE" : "");
	if (m->readonly && !dryrun)
		return migc__seterr(m, MIGC_INPUT, "the database was opened read-only");
	/* A dry run reads outside a transaction, which a read-only handle can. */
	if (dryrun) {
		migc__newtrack(&t);
		rc = migc__readtrack(m, &t, MIGC__READ_FULL);
	} else {
		rc = migc__lockedread(m, &t, VERIFY_NONE);
	}
	if (rc != MIGC_OK)
		return adoptstopped(m, rc);
	if (t.n > 0)
		rc = migc__seterr(m, MIGC_INPUT, "migc_adopt needs a database where migc has recorded nothing; this one has %lu "
		                  "migrations in %s", (unsigned long)t.n, m->table);
	migc__freetrack(&t);
	if (rc == MIGC_OK)
		rc = checkcolumns(m, tl, table, q);
	if (rc == MIGC_OK)
		rc = readapplied(m, tl, q, &out);
	if (rc == MIGC_OK && out.n > 1)
		qsort(out.v, out.n, sizeof(*out.v), byversion);
	for (i = 1; rc == MIGC_OK && i < out.n; i++)
		if (out.v[i] == out.v[i - 1])
			rc = migc__seterr(m, MIGC_VERIFY, "%s's table records version %lld twice", tl->name,
			                  (long long)out.v[i]->version);
	snprintf(origin, sizeof(origin), "adopted:%s", tl->name);
	for (i = 0; rc == MIGC_OK && !dryrun && i < out.n; i++) {
		migc__makerow(&r, out.v[i], at);
		r.done = r.total;
		r.done_checksum = origin;
		rc = m->drv->xWriteRow(m, &r);
	}
	for (i = 0; rc == MIGC_OK && !dryrun && out.reps && i < m->set->nrepeatables; i++)
		if (out.reps[i])
			rc = migc__recordrepeatable(m, &m->set->repeatables[i]);
	if (rc == MIGC_OK && m->interrupted)
		rc = MIGC_INTERRUPTED;
	if (dryrun || rc != MIGC_OK) {
		m->drv->xRollback(m);
	} else {
		rc = migc__endtx(m, rc);
	}
	rc = adoptstopped(m, rc);
	for (i = 0; rc == MIGC_OK && i < out.n; i++)
		migc__emit(m, MIGC_EV_ADOPTED, out.v[i], 0, tl->name, strlen(tl->name));
	for (i = 0; rc == MIGC_OK && out.reps && i < m->set->nrepeatables; i++)
		if (out.reps[i])
			migc__emit(m, MIGC_EV_ADOPTED, &m->set->repeatables[i], 0, tl->name, strlen(tl->name));
	if (rc == MIGC_OK && strcmp(table, tl->table) != 0 && !migc__ignoredtable(m, table)) {
		char note[400];

		snprintf(note, sizeof(note), "the schema check leaves out the tools' tracking tables under their default "
		         "names only, so %s is in the schema migc records and compares: leave it out with "
		         "migc_set_ignore_tables in every run, this one first (or rename it %s)", table, tl->table);
		migc__emit(m, MIGC_EV_NOTICE, NULL, 0, note, strlen(note));
	}
	free(out.v);
	free(out.reps);
	return rc;
}

int
migc_other_tool(migc *m, const char **tool, const char **table)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	if (!tool || !table)
		return migc__seterr(m, MIGC_INPUT, "migc_other_tool: tool and table must not be NULL");
	migc__clearerr(m);
	return migc__othertool(m, tool, table);
}

int
migc_adopt(migc *m, const char *tool, const char *table)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	m->nchanged = 0;
	return migc__recorded(m, adoptrun(m, tool, table, 0));
}

int
migc_adopt_dry_run(migc *m, const char *tool, const char *table)
{
	int rc = migc__checkhandle(m, 1);

	if (rc != MIGC_OK)
		return rc;
	rc = adoptrun(m, tool, table, 1);
	m->nchanged = 0;
	return rc;
}
