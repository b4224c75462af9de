/*
** diag.h: the generator's diagnostics (gen/diag.c).
*/

/* Diagnostics collected while reading a migration directory, each line
** already formatted as "path:line:col: error: message". With strict
** (--strict) a warning is an error. */
struct diags {
	struct buf text;
	int nerrors, nwarnings;
	int strict;
};

void diagerror(struct diags *d, const char *path, unsigned long line,
               unsigned long col, const char *fmt, ...);
void diagwarn(struct diags *d, const char *path, unsigned long line,
              unsigned long col, const char *fmt, ...);
