/*
** util.h: memory, growable buffers, paths and whole files for the
** generator (gen/util.c). The generator is a build tool, so running out
** of memory ends it (as in samurai); every other failure is returned to
** the caller.
*/

#include <stdarg.h>

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t m);
char *xstrdup(const char *s);
/* Room for one more element in the array v of n, doubling *cap
** (migc__grow, runtime/grow.h); dies when out of memory. */
void *xgrow(void *v, size_t n, size_t *cap, size_t size);
char *xmemdup(const char *s, size_t n);  /* adds a NUL */

/* Print "migc: msg" (with ": strerror" when msg ends in ':') and exit 1. */
void fatal(const char *fmt, ...);

struct buf {
	char *data;
	size_t len, cap;
};

void bufadd(struct buf *b, const void *data, size_t n);
void bufputs(struct buf *b, const char *s);
void bufputc(struct buf *b, int c);
void bufputu(struct buf *b, unsigned long v);        /* in decimal, as %lu */
void bufprintf(struct buf *b, const char *fmt, ...);
void bufvprintf(struct buf *b, const char *fmt, va_list ap);
void buffree(struct buf *b);

/* The 1-based line and byte column of text[off]. */
void textpos(const char *text, size_t off, unsigned long *line, unsigned long *col);

/* dir/file, with no second '/' when dir ends in one (malloc'd). */
char *joinpath(const char *dir, const char *file);

/* Read a whole file into *data (NUL-terminated; caller frees). Returns
** 0, or -1 with errno set. */
int readfile(const char *path, char **data, size_t *len);
