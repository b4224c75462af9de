/*
** convert.c: a migration read in another tool's layout, as migc's own
** files. The statements are the tool's, byte for byte: only whole lines
** that are the tool's markup are left out (gen/marks.c: the lines that
** mark sections and blocks, sqlx's and refinery's no-transaction lines),
** which lie outside every statement (load.c refuses a mark inside one).
** What they said becomes migc's directives, at the top of the file. The
** version keeps its digits as written (00001_, V001__).
*/
#include <stdint.h>
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

/* text[0..len) without its markup lines, into out; 1 when one was left out. */
static int
dropmarkup(enum layout layout, const char *text, size_t len, struct buf *out)
{
	size_t i = 0;
	int dropped = 0;

	while (i < len) {
		size_t eol = i;

		while (eol < len && text[eol] != '\n')
			eol++;
		if (markupline(layout, text + i, eol - i, i == 0))
			dropped = 1;
		else
			bufadd(out, text + i, eol - i + (eol < len));
		i = eol + 1;
	}
	return dropped;
}

/* Whether text[0..len)'s own directives run it outside a transaction. */
static int
saysnotx(const char *text, size_t len, enum dialect dialect)
{
	struct directives dv = {0, NULL, 0, 0, 0};
	struct diags scratch = {{0}, 0, 0};
	size_t i;

	readdirectives("", text, leadingend(text, len), dialect, &dv, &scratch);
	for (i = 0; i < dv.naccept; i++)
		free(dv.accept[i]);
	free(dv.accept);
	buffree(&scratch.text);
	return (dv.flags & MIGC_NO_TRANSACTION) != 0;
}

/* sc's text as migc's layout holds it, into out: 1 when the
** no-transaction directive had to be added. */
static int
convertscript(const struct migc_script *sc, enum layout layout, enum dialect dialect, struct buf *out, int *dropped)
{
	struct buf body = {0};
	int notx;

	*dropped |= dropmarkup(layout, sc->sql, sc->length, &body);
	notx = (sc->flags & MIGC_NO_TRANSACTION) && !saysnotx(body.data ? body.data : "", body.len, dialect);
	if (notx)
		bufputs(out, "-- migc:no-transaction\n");
	bufadd(out, body.data, body.len);
	buffree(&body);
	return notx;
}

void
convert(const struct migc_migration *m, enum layout layout, enum dialect dialect, int accept, struct converted *c)
{
	struct buf up = {0}, name = {0};
	struct flyname f;
	int dropped = 0;
	size_t n;

	memset(c, 0, sizeof(*c));
	if ((layout == LAYOUT_FLYWAY || layout == LAYOUT_REFINERY) && flywayname(m->up.file, &f))
		bufadd(&name, f.ver, f.verlen);
	else {
		for (n = 0; m->up.file[n] >= '0' && m->up.file[n] <= '9'; n++)
			;
		bufadd(&name, m->up.file, n);
	}
	bufprintf(&name, "_%s", m->name);
	c->up = xstrdup2(name.data, ".sql");
	if (convertscript(&m->up, layout, dialect, &up, &dropped))
		c->added |= CONVERT_NOTX_UP;
	if (up.len != m->up.length || (up.len && memcmp(up.data, m->up.sql, up.len) != 0))
		c->added |= CONVERT_CHANGED;
	if (accept && (c->added & CONVERT_CHANGED)) {
		bufprintf(&c->uptext, "-- migc:also-accept %s\n", m->checksum);
		c->added |= CONVERT_ACCEPT;
	}
	bufadd(&c->uptext, up.data, up.len);
	if (m->down.file) {
		c->down = xstrdup2(name.data, ".down.sql");
		if (convertscript(&m->down, layout, dialect, &c->downtext, &dropped))
			c->added |= CONVERT_NOTX_DOWN;
	}
	if (dropped)
		c->added |= CONVERT_MARKS;
	buffree(&up);
	buffree(&name);
}

void
freeconverted(struct converted *c)
{
	free(c->up);
	free(c->down);
	buffree(&c->uptext);
	buffree(&c->downtext);
}
