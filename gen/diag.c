/*
** diag.c: the generator's diagnostics, "path:line:col: error: message"
** (or warning), collected while a directory is read so that every
** problem is reported, in one order, and the caller decides where they go.
*/
#include <stdarg.h>
#include <stddef.h>

#include "util.h"
#include "diag.h"

static void
diag(struct diags *d, const char *kind, const char *path, unsigned long line,
     unsigned long col, const char *fmt, va_list ap)
{
	bufputs(&d->text, path);
	if (line)
		bufprintf(&d->text, ":%lu", line);
	if (col)
		bufprintf(&d->text, ":%lu", col);
	bufprintf(&d->text, ": %s: ", kind);
	bufvprintf(&d->text, fmt, ap);
	bufputc(&d->text, '\n');
}

void
diagerror(struct diags *d, const char *path, unsigned long line,
          unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag(d, "error", path, line, col, fmt, ap);
	va_end(ap);
	d->nerrors++;
}

void
diagwarn(struct diags *d, const char *path, unsigned long line,
         unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag(d, d->strict ? "error" : "warning", path, line, col, fmt, ap);
	va_end(ap);
	if (d->strict)
		d->nerrors++;
	else
		d->nwarnings++;
}
