/*
** convert.c: a migration read in another tool's layout, as migc's own
** files, and the proof that they run the same once read back. The statements are the tool's, byte for byte: only whole lines
** that are the tool's markup are left out (gen/marks.c: the lines that
** mark sections and blocks, sqlx's and refinery's no-transaction lines),
** which lie outside every statement (load.c refuses a mark inside one).
** What they said becomes migc's directives, at the top of the file. The
** version keeps its digits as written (00001_, V001__).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "layout.h"
#include "marks.h"
#include "names.h"
#include "directives.h"
#include "convert.h"

/* s and then t, in one malloc'd string. */
static char *
xstrdup2(const char *s, const char *t)
{
	size_t n = strlen(s), m = strlen(t);
	char *r = xmalloc(n + m + 1);

	memcpy(r, s, n);
	memcpy(r + n, t, m + 1);
	return r;
}

/* The line of the source file that sc->sql's first byte is on (its
** statements carry theirs; the text before the first is counted back). */
static unsigned long
firstline(const struct migc_script *sc)
{
	unsigned long line;
	size_t i;

	if (sc->nstmts == 0)
		return 1;
	line = sc->stmts[0].line;
	for (i = 0; i < sc->stmts[0].offset; i++)
		line -= sc->sql[i] == '\n';
	return line;
}

/* Whether text[at..] lies inside one of sc's statements. */
static int
instatement(const struct migc_script *sc, size_t at)
{
	unsigned long i;

	for (i = 0; i < sc->nstmts; i++)
		if (at >= sc->stmts[i].offset && at < sc->stmts[i].offset + sc->stmts[i].length)
			return 1;
	return 0;
}

/* Add line, from source line src (0: none), to f. */
static void
addline(struct convfile *f, const char *line, size_t n, unsigned long src)
{
	bufadd(&f->text, line, n);
	f->lines = xreallocarray(f->lines, f->nlines + 1, sizeof(*f->lines));
	f->lines[f->nlines++] = src;
}

/* sc's text without the tool's markup lines outside its statements (a
** line inside one is SQL: refinery's regex reads it in a string too),
** into body; 1 when one was left out. */
static int
dropmarkup(const struct migc_script *sc, enum layout layout, struct convfile *body)
{
	const char *text = sc->sql;
	size_t len = sc->length, i = 0;
	unsigned long line = firstline(sc);
	int dropped = 0;

	while (i < len) {
		size_t eol = i;

		while (eol < len && text[eol] != '\n')
			eol++;
		if (markupline(layout, text + i, eol - i, i == 0) && !instatement(sc, i))
			dropped = 1;
		else
			addline(body, text + i, eol - i + (eol < len), line);
		i = eol + 1;
		line++;
	}
	return dropped;
}

/* Whether text[0..len)'s own directives run it outside a transaction. */
static int
saysnotx(const char *text, size_t len, enum dialect dialect)
{
	struct directives dv = DIRECTIVES_NONE;
	struct diags scratch = {{0}, 0, 0, 0};

	readdirectives("", text, leadingend(text, len), dialect, &dv, &scratch);
	freedirectives(&dv);
	buffree(&scratch.text);
	return (dv.flags & MIGC_NO_TRANSACTION) != 0;
}

/* Put first (a line convert adds, when not NULL) and then body in out. */
static void
assemble(struct convfile *out, const char *first, struct convfile *body)
{
	size_t i = 0, k;

	if (first)
		addline(out, first, strlen(first), 0);
	for (k = 0; k < body->nlines; k++) {
		size_t start = i;

		while (i < body->text.len && body->text.data[i] != '\n')
			i++;
		i += i < body->text.len;
		addline(out, body->text.data + start, i - start, body->lines[k]);
	}
	buffree(&body->text);
	free(body->lines);
}

/* sc's text as migc's layout holds it, into f (named name): 1 when the
** no-transaction directive had to be added. */
static int
convertscript(const struct migc_script *sc, enum layout layout, enum dialect dialect, char *name,
              struct convfile *f, int *dropped)
{
	struct convfile body = { NULL, {0}, NULL, 0 };
	int notx;

	f->name = name;
	*dropped |= dropmarkup(sc, layout, &body);
	notx = (sc->flags & MIGC_NO_TRANSACTION) && !saysnotx(body.text.data ? body.text.data : "", body.text.len, dialect);
	assemble(f, notx ? "-- migc:no-transaction\n" : NULL, &body);
	return notx;
}

void
convert(const struct migc_migration *m, enum layout layout, enum dialect dialect, int accept, struct converted *c)
{
	struct convfile up = { NULL, {0}, NULL, 0 };
	struct buf name = {0}, line = {0};
	struct flyname f;
	int dropped = 0;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (layout == LAYOUT_FLYWAYDOTTED)
		bufprintf(&name, "%lld", (long long)m->version);   /* 1.1 is 1001000: no '.' in migc's versions */
	else if ((layout == LAYOUT_FLYWAY || layout == LAYOUT_REFINERY) && flywayname(m->up.file, &f))
		bufadd(&name, f.ver, f.verlen);
	else {
		for (n = 0; m->up.file[n] >= '0' && m->up.file[n] <= '9'; n++)
			;
		bufadd(&name, m->up.file, n);
	}
	bufprintf(&name, "_%s", m->name);
	if (convertscript(&m->up, layout, dialect, xstrdup2(name.data, ".sql"), &up, &dropped))
		c->added |= CONVERT_NOTX_UP;
	if (up.text.len != m->up.length || (up.text.len && memcmp(up.text.data, m->up.sql, up.text.len) != 0))
		c->added |= CONVERT_CHANGED;
	if (accept && (c->added & CONVERT_CHANGED)) {
		bufprintf(&line, "-- migc:also-accept %s\n", m->checksum);
		c->added |= CONVERT_ACCEPT;
	}
	c->up.name = up.name;
	assemble(&c->up, line.data, &up);
	if (m->down.file &&
	    convertscript(&m->down, layout, dialect, xstrdup2(name.data, ".down.sql"), &c->down, &dropped))
		c->added |= CONVERT_NOTX_DOWN;
	if (dropped)
		c->added |= CONVERT_MARKS;
	buffree(&line);
	buffree(&name);
}

void
freeconverted(struct converted *c)
{
	free(c->up.name);
	free(c->down.name);
	buffree(&c->up.text);
	buffree(&c->down.text);
	free(c->up.lines);
	free(c->down.lines);
}

/* The end of r's statement j when it lies in text[pos..len), as the next
** part of a statement that r's layout cuts in several; else 0. */
static size_t
nextpart(const char *text, size_t pos, size_t len, const struct migc_script *r, unsigned long j)
{
	const char *b = r->sql + r->stmts[j].offset, *p;
	size_t n = r->stmts[j].length;

	if (n > len - pos)
		return 0;
	if (pos == 0)
		return memcmp(text, b, n) == 0 ? n : 0;
	for (p = text + pos; (size_t)(p - text) + n <= len; p++)
		if (memcmp(p, b, n) == 0)
			return (size_t)(p - text) + n;
	return 0;
}

/*
** Whether r, read back from the file convert wrote, runs what s, read
** from SRC's file at path, runs: the same statements, in the same order,
** with the same options. A block the tool sends as one statement may be
** several to migc's layout, which sends each on its own: in a transaction
** that runs the same, and on SQLite outside one too (each commits on its
** own either way); outside one on PostgreSQL it does not (the server runs
** a message of several statements as one implicit transaction), and is
** refused. *split counts the blocks so cut. Each difference goes to d.
*/
static int
samescript(const char *path, const char *tool, enum dialect dialect, const char *what, const struct migc_script *s,
           const struct migc_script *r, unsigned *split, struct diags *d)
{
	unsigned long i, j = 0;

	for (i = 0; i < s->nstmts; i++) {
		const char *a = s->sql + s->stmts[i].offset;
		size_t len = s->stmts[i].length, pos = 0, end;
		unsigned long parts = 0;

		while (pos < len && j < r->nstmts && (end = nextpart(a, pos, len, r, j)) != 0) {
			pos = end;
			parts++;
			j++;
		}
		if (pos < len)
			break;
		if (parts > 1 && (s->flags & MIGC_NO_TRANSACTION) && dialect == DIALECT_POSTGRES) {
			diagerror(d, path, s->stmts[i].line, 1, "cannot import the %s section: it runs outside a transaction, "
			          "where %s sends this block as one statement, which PostgreSQL runs as one implicit "
			          "transaction, and migc's layout would send its %lu statements one by one, each "
			          "committing on its own (keep --layout %s, or give the statements a migration each)",
			          what, tool, parts, tool);
			return 0;
		}
		*split += parts > 1;
	}
	if (i < s->nstmts || j < r->nstmts) {
		diagerror(d, path, i < s->nstmts ? s->stmts[i].line : 0, i < s->nstmts ? 1 : 0, "cannot import the %s "
		          "section: migc's layout would read other statements from it (keep --layout %s)", what, tool);
		return 0;
	}
	if (s->flags != r->flags || s->lock_timeout_ms != r->lock_timeout_ms) {
		diagerror(d, path, 0, 0, "cannot import the %s section: migc's layout would run it with other options "
		          "(flags %#x, not %#x; lock timeout %ld, not %ld)", what, r->flags, s->flags, r->lock_timeout_ms,
		          s->lock_timeout_ms);
		return 0;
	}
	return 1;
}

/* Whether m's accepted checksums (and its own, when convert added it)
** are all among r's. */
static int
sameaccepts(const struct migc_migration *m, const struct migc_migration *r, const struct converted *c,
            const char *path, struct diags *d)
{
	unsigned long j, k;

	for (j = 0; j <= m->naccept; j++) {
		const char *want = j < m->naccept ? m->accept[j] : (c->added & CONVERT_ACCEPT) ? m->checksum : NULL;

		for (k = 0; want && k < r->naccept && strcmp(want, r->accept[k]) != 0; k++)
			;
		if (want && k == r->naccept) {
			diagerror(d, path, 0, 0, "cannot import: %s would not accept %s", c->up.name, want);
			return 0;
		}
	}
	if (!(c->added & CONVERT_CHANGED) && strcmp(m->checksum, r->checksum) != 0) {
		diagerror(d, path, 0, 0, "cannot import: %s would have another checksum", c->up.name);
		return 0;
	}
	return 1;
}

int
sameset(const char *src, const char *tool, enum dialect dialect, const struct migc_set *set,
        const struct migc_set *back, struct converted *cv, struct converted *rv, struct diags *d)
{
	unsigned long i;
	int ok = 1;

	if (set->nrepeatables != back->nrepeatables) {
		diagerror(d, src, 0, 0, "cannot import: migc's layout reads %lu repeatable migrations from the files, not %lu",
		          back->nrepeatables, set->nrepeatables);
		return 0;
	}
	for (i = 0; i < set->nrepeatables; i++) {
		char *path = joinpath(src, set->repeatables[i].up.file);

		if (strcmp(set->repeatables[i].name, back->repeatables[i].name) != 0) {
			diagerror(d, path, 0, 0, "cannot import: migc's layout reads it as %s", back->repeatables[i].up.file);
			ok = 0;
		} else {
			ok &= samescript(path, tool, dialect, "repeatable", &set->repeatables[i].up, &back->repeatables[i].up,
			                 &rv[i].split, d);
		}
		free(path);
	}

	if (set->count != back->count) {
		diagerror(d, src, 0, 0, "cannot import: migc's layout reads %lu migrations from the files, not %lu",
		          back->count, set->count);
		return 0;
	}
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i], *r = &back->migrations[i];
		char *up = joinpath(src, m->up.file), *down = m->down.file ? joinpath(src, m->down.file) : NULL;

		if (m->version != r->version || strcmp(m->name, r->name) != 0) {
			diagerror(d, up, 0, 0, "cannot import: migc's layout reads %s as version %lld, name %s",
			          cv[i].up.name, (long long)r->version, r->name);
			ok = 0;
		} else if (!m->down.file != !r->down.file) {
			diagerror(d, up, 0, 0, "cannot import: migc's layout reads %s down migration", m->down.file ? "no" : "a");
			ok = 0;
		} else {
			ok &= samescript(up, tool, dialect, "up", &m->up, &r->up, &cv[i].split, d);
			if (m->down.file)
				ok &= samescript(down, tool, dialect, "down", &m->down, &r->down, &cv[i].split, d);
			ok &= sameaccepts(m, r, &cv[i], up, d);
		}
		free(up);
		free(down);
	}
	return ok;
}

/* The converted file of cv[0..n) named name[0..len), and the SRC file it
** comes from (*from), or NULL. */
static const struct convfile *
findfile(const struct migc_set *set, const struct converted *cv, const struct converted *rv, const char *name,
         size_t len, const char **from)
{
	unsigned long i;

	for (i = 0; i < set->nrepeatables; i++) {
		if (strlen(rv[i].up.name) == len && memcmp(rv[i].up.name, name, len) == 0) {
			*from = set->repeatables[i].up.file;
			return &rv[i].up;
		}
	}

	for (i = 0; i < set->count; i++) {
		const struct convfile *f[2] = { &cv[i].up, &cv[i].down };
		const char *src[2] = { set->migrations[i].up.file, set->migrations[i].down.file };
		int k;

		for (k = 0; k < 2; k++) {
			if (f[k]->name && strlen(f[k]->name) == len && memcmp(f[k]->name, name, len) == 0) {
				*from = src[k];
				return f[k];
			}
		}
	}
	return NULL;
}

void
placediags(const char *tmp, const char *src, const struct migc_set *set, const struct converted *cv,
           const struct converted *rv, const struct buf *text, struct diags *d)
{
	size_t n = strlen(tmp), i = 0;

	while (text->data && i < text->len) {
		const char *line = text->data + i, *end = memchr(line, '\n', text->len - i), *p, *name, *from = NULL;
		const struct convfile *f = NULL;
		unsigned long l = 0, col = 0;
		char *path;

		end = end ? end : text->data + text->len;
		i = (size_t)(end - text->data) + 1;
		if ((size_t)(end - line) > n + 1 && memcmp(line, tmp, n) == 0 && line[n] == '/') {
			name = line + n + 1;
			for (p = name; p < end && *p != ':'; p++)
				;
			f = findfile(set, cv, rv, name, (size_t)(p - name), &from);
		}
		if (!f) {
			diagerror(d, src, 0, 0, "cannot import: %.*s", (int)(end - line), line);
			continue;
		}
		if (sscanf(p, ":%lu:%lu:", &l, &col) == 2) {
			l = l >= 1 && l <= f->nlines ? f->lines[l - 1] : 0;
			col = l ? col : 0;
			p = strchr(strchr(p + 1, ':') + 1, ':');
		}
		p += *p == ':';
		if (strncmp(p, " warning: ", 10) == 0)
			continue;
		p += strncmp(p, " error: ", 8) == 0 ? 8 : 0;
		path = joinpath(src, from);
		diagerror(d, path, l, col, "cannot import: migc's layout would refuse %s as converted: %.*s", f->name,
		          (int)(end - p), p);
		free(path);
	}
}
