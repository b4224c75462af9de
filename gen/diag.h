/*
** diag.h: the generator's diagnostics (gen/diag.c).
*/

/* Diagnostics collected while reading a migration directory, each line
** already formatted as "path:line:col: error: message". */
struct diags {
	struct buf text;
	int nerrors, nwarnings;
};

void diagerror(struct diags *d, const char *path, unsigned long line,
               unsigned long col, const char *fmt, ...);
void diagwarn(struct diags *d, const char *path, unsigned long line,
              unsigned long col, const char *fmt, ...);
