/*
** text.h: strings that grow, and places in text (runtime/text.c). The one
** way the runtime and the generator build a string piece by piece, and
** the one way they turn a byte offset into a line and column.
*/

#include <stdarg.h>
#include <stddef.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/*
** Make room for n more bytes and a NUL after the len bytes of the block
** *s, which has room for *cap: the block doubles (256 bytes at first).
** Returns 0; or -1 when out of memory or when the size would outgrow
** size_t, with *s and *cap as they were (*s is still the caller's).
*/
int migc__room(char **s, size_t *cap, size_t len, size_t n);

/*
** A string built by adding to its end: s (NULL until the first add) holds
** n bytes and a NUL. When memory runs out, nomem is set and later adds do
** nothing, so a caller checks once at the end; s then holds what was
** added before, still the caller's to free. Start from { NULL, 0, 0, 0 }.
*/
struct migc__text {
	char *s;
	size_t n, cap;
	int nomem;
};

void migc__textadd(struct migc__text *t, const void *s, size_t n);
void migc__textputs(struct migc__text *t, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void migc__textprintf(struct migc__text *t, const char *fmt, ...);
void migc__textvprintf(struct migc__text *t, const char *fmt, va_list ap);

/*
** The place of text[to]: text[from] (from <= to) is on line *line, which
** starts at text[bol]; *line becomes to's line and *col its column (both
** 1-based, the column in bytes).
*/
void migc__place(const char *text, size_t from, size_t to, size_t bol, unsigned long *line, unsigned long *col);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
