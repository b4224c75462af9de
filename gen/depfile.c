/*
** depfile.c: the make-style depfile `migc gen --depfile` writes, naming
** every file the output was made from, so that make and ninja regenerate
** it when a migration (or migc.sum) changes. Paths are escaped as both
** read them: a backslash before a blank, '#' or a backslash, "$$" for '$'.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "util.h"
#include "depfile.h"

static void
putdeppath(struct buf *b, const char *dir, const char *file)
{
	char *path = joinpath(dir, file);
	const char *p;

	bufputs(b, " \\\n  ");
	for (p = path; *p; p++) {
		if (*p == ' ' || *p == '#' || *p == '\\')
			bufputc(b, '\\');
		else if (*p == '$')
			bufputc(b, '$');
		bufputc(b, *p);
	}
	free(path);
}

void
putdepfile(struct buf *out, const char *target, const char *dir, const struct migc_set *set,
           const char *extra)
{
	unsigned long k;

	bufputs(out, target);
	bufputc(out, ':');
	for (k = 0; k < set->count; k++) {
		putdeppath(out, dir, set->migrations[k].up.file);
		if (set->migrations[k].down.file &&
		    strcmp(set->migrations[k].down.file, set->migrations[k].up.file) != 0)      /* a goose file holds both */
			putdeppath(out, dir, set->migrations[k].down.file);
	}
	if (extra)
		putdeppath(out, dir, extra);
	bufputc(out, '\n');
}
