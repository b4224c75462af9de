/*
** emit.c: write a migration set as one C file. The output depends on
** nothing but the set: no dates, no paths beyond file names, files in
** version order. Every byte of SQL is written into a string literal
** escaped so that no migration content can leave the literal.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "migc.h"
#include "util.h"
#include "output.h"
#include "emit.h"

#define COMMENTCOL 64   /* column of the trailing file:line comments */

int
iscident(const char *s)
{
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (i = 1; s[i]; i++) {
		int c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return i <= 63 && strncmp(s, "migc__", 6) != 0 && strcmp(s, "main") != 0;
}

/*
** Write s[0..n) as the body of a C string literal. Printable ASCII
** stays as it is but for '"' and '\\', newline and tab are \\n and \\t, a '?' before another '?' is
** escaped so no trigraph can form; every other byte becomes a 3-digit octal escape (a \x escape would swallow a following
** hex digit). Returns the number of columns written.
*/
static size_t
putescaped(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, cols = 0;

	while (i < n) {
		size_t j = i;
		int c;

		/* Bytes that stand for themselves go out as one run. */
		while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7f && s[j] != '"' &&
		       s[j] != '\\' && !(s[j] == '?' && j + 1 < n && s[j + 1] == '?'))
			j++;
		if (j > i) {
			bufadd(out, s + i, j - i);
			cols += j - i;
			i = j;
			continue;
		}
		c = (unsigned char)s[i++];
		if (c == '"' || c == '\\') {
			bufputc(out, '\\');
			bufputc(out, c);
			cols += 2;
		} else if (c == '\n' || c == '\t') {
			bufputs(out, c == '\n' ? "\\n" : "\\t");
			cols += 2;
		} else if (c == '?') {
			bufputs(out, "\\077");
			cols += 4;
		} else {
			bufprintf(out, "\\%03o", c);
			cols += 4;
		}
	}
	return cols;
}

static void
putstring(struct buf *out, const char *s)
{
	bufputc(out, '"');
	putescaped(out, s, strlen(s));
	bufputc(out, '"');
}

/* The file's line sc->sql starts on: 1, but for the down section of a
** goose file, which its first statement's line tells. */
static unsigned long
firstline(const struct migc_script *sc)
{
	unsigned long line, i;

	if (!sc->nstmts)
		return 1;
	line = sc->stmts[0].line;
	for (i = 0; i < sc->stmts[0].offset; i++)
		line -= sc->sql[i] == '\n';
	return line;
}

/* What pads a line of SQL out to its comment. */
static const char blanks[COMMENTCOL + 1] = "                                                                ";

/*
** The SQL of a script as one literal per source line; a line where a
** statement starts is followed by its file:line. (Not every line: the
** comments were a third of the file, and of the time it takes to
** compile; the statement table has every statement's line too.)
*/
static void
putsql(struct buf *out, const char *var, const struct migc_script *sc)
{
	const char *p = sc->sql, *end = sc->sql + sc->length;
	unsigned long line = firstline(sc), first = line, k = 0;

	bufprintf(out, "static const char %s[] =\n", var);
	if (p == end)
		bufputs(out, "\t\"\"");
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) + 1 : (size_t)(end - p);
		size_t cols;
		int starts = 0;

		while (k < sc->nstmts && sc->stmts[k].line <= line)
			starts |= sc->stmts[k++].line == line;
		if (line > first)
			bufputc(out, '\n');
		bufputs(out, "\t\"");
		cols = 10 + putescaped(out, p, n);
		bufputc(out, '"');
		if (starts) {
			/* Once per statement: no printf. */
			bufadd(out, blanks, cols < COMMENTCOL ? COMMENTCOL - cols : 1);
			bufputs(out, "/* ");
			bufputs(out, sc->file);
			bufputc(out, ':');
			bufputu(out, line);
			bufputs(out, " */");
		}
		p += n;
		line++;
	}
	bufputs(out, ";\n");
}

static void
putstmts(struct buf *out, const char *var, const struct migc_script *sc)
{
	unsigned long i;

	if (sc->nstmts == 0)
		return;
	bufprintf(out, "static const struct migc_stmt %s[] = {\n", var);
	for (i = 0; i < sc->nstmts; i++) {
		bufputs(out, "\t{ ");
		bufputu(out, sc->stmts[i].offset);
		bufputs(out, ", ");
		bufputu(out, sc->stmts[i].length);
		bufputs(out, ", ");
		bufputu(out, sc->stmts[i].line);
		bufputs(out, " },\n");
	}
	bufputs(out, "};\n");
}

static void
putscriptdata(struct buf *out, long long v, const char *kind, const struct migc_script *sc)
{
	char sql[64], stmts[64];

	snprintf(sql, sizeof(sql), "migc__%lld_%s", v, kind);
	snprintf(stmts, sizeof(stmts), "migc__%lld_%s_stmts", v, kind);
	putsql(out, sql, sc);
	putstmts(out, stmts, sc);
}


/* A script's flags by name, "A | B", or 0. */
static void
putflags(struct buf *out, unsigned flags)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ MIGC_NO_TRANSACTION, "MIGC_NO_TRANSACTION" },
		{ MIGC_FOREIGN_KEYS_OFF, "MIGC_FOREIGN_KEYS_OFF" },
		{ MIGC_FOREIGN_KEYS_ON, "MIGC_FOREIGN_KEYS_ON" },
	};
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			bufprintf(out, "%s%s", n++ ? " | " : "", names[i].name);
	if (n == 0)
		bufputc(out, '0');
}
static void
putscriptref(struct buf *out, long long v, const char *kind, const struct migc_script *sc)
{
	if (!sc->file) {
		bufputs(out, "{ 0, 0, 0, 0, 0, 0, 0 }");
		return;
	}
	bufputs(out, "{ ");
	putstring(out, sc->file);
	bufprintf(out, ", migc__%lld_%s, %lu, ", v, kind, sc->length);
	if (sc->nstmts)
		bufprintf(out, "migc__%lld_%s_stmts, %lu, ", v, kind, sc->nstmts);
	else
		bufputs(out, "0, 0, ");
	putflags(out, sc->flags);
	if (sc->lock_timeout_ms == MIGC_LOCK_TIMEOUT_OFF)
		bufputs(out, ", MIGC_LOCK_TIMEOUT_OFF }");
	else
		bufprintf(out, ", %ld }", sc->lock_timeout_ms);
}

static void
putbanner(struct buf *out, const struct migc_set *set)
{
	unsigned long i;

	bufprintf(out, "/*\n** Generated by migc gen --dialect %s from:\n", set->dialect);
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];

		bufprintf(out, "**   %s", m->up.file);
		if (m->down.file && strcmp(m->down.file, m->up.file) != 0)       /* a goose file holds both */
			bufprintf(out, ", %s", m->down.file);
		bufputc(out, '\n');
	}
	if (set->count == 0)
		bufputs(out, "**   (no migrations)\n");
	for (i = 0; i < set->nrepeatables; i++)
		bufprintf(out, "**   %s (repeatable)\n", set->repeatables[i].up.file);
	bufputs(out, "** Do not edit: edit the migration files and run migc gen again.\n*/\n");
}

/* Hand what out holds to o once it is a mebibyte: the C of a large set
** never has to be in memory at once. */
static void
spill(struct buf *out, struct output *o, size_t atleast)
{
	if (out->len >= atleast) {
		outputwrite(o, out->data, out->len);
		out->len = 0;
	}
}

void
emitset(struct output *o, const struct migc_set *set, const char *symbol, int withmain)
{
	struct buf b = {0}, *out = &b;
	unsigned long i;

	putbanner(out, set);
	bufputs(out, "#include \"migc.h\"\n\n");
	bufputs(out, "/* Fails to compile when migc.h has another record layout. */\n");
	bufprintf(out, "typedef char migc__layout_is_%d[MIGC_LAYOUT == %d ? 1 : -1];\n\n", MIGC_LAYOUT, MIGC_LAYOUT);
	bufputs(out, "/* A migration longer than 4095 bytes is one long string literal:\n"
	             "** gcc and clang take it; ISO C99 only promises 4095. */\n"
	             "#if defined(__GNUC__)\n"
	             "#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n"
	             "#endif\n");
	for (i = 0; i < set->count; i++) {
		const struct migc_migration *m = &set->migrations[i];
		long long v = (long long)m->version;

		bufprintf(out, "\n/* %s */\n", m->up.file);
		putscriptdata(out, v, "up", &m->up);
		if (m->down.file) {
			bufprintf(out, "\n/* %s */\n", m->down.file);
			putscriptdata(out, v, "down", &m->down);
		}
		if (m->naccept) {
			unsigned long k;

			bufprintf(out, "\n/* %s: -- migc:also-accept */\nstatic const char *const migc__%lld_accept[] = {\n",
			          m->up.file, v);
			for (k = 0; k < m->naccept; k++)
				bufprintf(out, "\t\"%s\",\n", m->accept[k]);
			bufputs(out, "};\n");
		}
		spill(out, o, 1 << 20);
	}
	if (set->count) {
		bufputs(out, "\nstatic const struct migc_migration migc__records[] = {\n");
		for (i = 0; i < set->count; i++) {
			const struct migc_migration *m = &set->migrations[i];
			long long v = (long long)m->version;

			bufprintf(out, "\t{ INT64_C(%lld), ", v);
			putstring(out, m->name);
			bufprintf(out, ",\n\t  \"%s\",\n\t  \"%s\",\n\t  ", m->checksum, m->raw_checksum);
			putscriptref(out, v, "up", &m->up);
			bufputs(out, ",\n\t  ");
			putscriptref(out, v, "down", &m->down);
			if (m->naccept)
				bufprintf(out, ",\n\t  migc__%lld_accept, %lu,", v, m->naccept);
			else
				bufputs(out, ",\n\t  0, 0,");
			if (m->schema)
				bufprintf(out, "\n\t  \"%s\",", m->schema);
			else
				bufputs(out, " 0,");
			if (m->irreversible) {
				bufputs(out, "\n\t  ");
				putstring(out, m->irreversible);
				bufputs(out, " },\n");
			} else {
				bufputs(out, " 0 },\n");
			}
			spill(out, o, 1 << 20);
		}
		bufputs(out, "};\n");
	}
	for (i = 0; i < set->nrepeatables; i++) {
		bufprintf(out, "\n/* %s (repeatable) */\n", set->repeatables[i].up.file);
		putscriptdata(out, (long long)i, "repeatable", &set->repeatables[i].up);
	}
	if (set->nrepeatables) {
		bufputs(out, "\nstatic const struct migc_migration migc__repeatables[] = {\n");
		for (i = 0; i < set->nrepeatables; i++) {
			const struct migc_migration *r = &set->repeatables[i];

			bufputs(out, "\t{ 0, ");
			putstring(out, r->name);
			bufprintf(out, ",\n\t  \"%s\",\n\t  \"%s\",\n\t  ", r->checksum, r->raw_checksum);
			putscriptref(out, (long long)i, "repeatable", &r->up);
			bufputs(out, ",\n\t  { 0, 0, 0, 0, 0, 0, 0 }, 0, 0, 0, 0 },\n");
		}
		bufputs(out, "};\n");
	}
	bufprintf(out, "\nconst struct migc_set %s = {\n\t%d, \"%s\", &migc_driver_%s, %s, %lu,\n\t\"%s\",\n\t%s, %lu\n};\n",
	          symbol, MIGC_LAYOUT, set->dialect, set->dialect, set->count ? "migc__records" : "0", set->count, set->hash,
	          set->nrepeatables ? "migc__repeatables" : "0", set->nrepeatables);
	if (withmain)
		bufprintf(out, "\nint main(int argc, char **argv)\n{\n\treturn migc_main(argc, argv, &%s);\n}\n",
		          symbol);
	spill(out, o, 0);
	buffree(out);
}
