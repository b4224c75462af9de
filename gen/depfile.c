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

/* dir/file, escaped, after lead. */
static void
putdeppath(struct buf *b, const char *lead, const char *dir, const char *file)
{
	char *path = joinpath(dir, file);
	const char *p;

	bufputs(b, lead);
	for (p = path; *p; p++) {
		if (*p == ' ' || *p == '#' || *p == '\\')
			bufputc(b, '\\');
		else if (*p == '$')
			bufputc(b, '$');
		bufputc(b, *p);
	}
	free(path);
}

/* Each input of set (and extra) after lead, then end. */
static void
putinputs(struct buf *out, const char *lead, const char *end, const char *dir, const struct migc_set *set,
          const char *extra)
{
	unsigned long k;

	for (k = 0; k < set->count; k++) {
		putdeppath(out, lead, dir, set->migrations[k].up.file);
		bufputs(out, end);
		if (set->migrations[k].down.file &&
		    strcmp(set->migrations[k].down.file, set->migrations[k].up.file) != 0) {     /* a goose file holds both */
			putdeppath(out, lead, dir, set->migrations[k].down.file);
			bufputs(out, end);
		}
	}
	if (extra) {
		putdeppath(out, lead, dir, extra);
		bufputs(out, end);
	}
}

void
putdepfile(struct buf *out, const char *target, const char *dir, const struct migc_set *set,
           const char *extra)
{
	bufputs(out, target);
	bufputc(out, ':');
	putinputs(out, " \\\n  ", "", dir, set, extra);
	bufputc(out, '\n');
	/* An empty rule for each input, as gcc -MP writes: make goes on when
	** one is renamed or deleted instead of finding no rule to make it. */
	putinputs(out, "\n", ":\n", dir, set, extra);
}
