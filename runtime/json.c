/*
** json.c: a JSON string writer. The command line's --json outputs
** (status, verify, list) and the developer tool's (check) quote names,
** paths and messages that may hold any byte; this is the one place that
** escapes them.
*/
#include <stdio.h>

#include "json.h"

void
migc__jsonstr(FILE *f, const char *s)
{
	putc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}
