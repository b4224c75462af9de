/*
** util.c: what every part of the generator uses: memory (the build tool
** dies when it runs out, as samurai does), growable byte buffers, paths
** and reading a whole file.
*/
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "text.h"
#include "util.h"

void
fatal(const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(fmt);
	int err = errno;

	fputs("migc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m)
		fatal("out of memory");
	return xrealloc(p, n * m);
}

void *
xgrow(void *v, size_t n, size_t *cap, size_t size)
{
	void *p = migc__grow(v, n, cap, size);

	if (!p)
		fatal("out of memory");
	return p;
}

char *
xmemdup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

/* A buf is a migc__text that dies when memory runs out: these two lend
** it to text.c's functions and take it back. */
static struct migc__text
lend(const struct buf *b)
{
	struct migc__text t = { b->data, b->len, b->cap, 0 };

	return t;
}

static void
takeback(struct buf *b, const struct migc__text *t)
{
	if (t->nomem)
		fatal("out of memory");
	b->data = t->s;
	b->len = t->n;
	b->cap = t->cap;
}

void
bufadd(struct buf *b, const void *data, size_t n)
{
	struct migc__text t;

	/* The common case, room to spare, without the loan: the emitter
	** calls this several times a line of SQL. */
	if (b->data && n < b->cap - b->len) {
		memcpy(b->data + b->len, data, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	t = lend(b);
	migc__textadd(&t, data, n);
	takeback(b, &t);
}

void
bufputs(struct buf *b, const char *s)
{
	bufadd(b, s, strlen(s));
}

void
bufputc(struct buf *b, int c)
{
	char ch = (char)c;

	bufadd(b, &ch, 1);
}

void
bufputu(struct buf *b, unsigned long v)
{
	char digits[24];
	size_t n = sizeof(digits);

	do
		digits[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	bufadd(b, digits + n, sizeof(digits) - n);
}

void
bufvprintf(struct buf *b, const char *fmt, va_list ap)
{
	struct migc__text t = lend(b);

	migc__textvprintf(&t, fmt, ap);
	takeback(b, &t);
}

void
bufprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bufvprintf(b, fmt, ap);
	va_end(ap);
}

void
buffree(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
textpos(const char *text, size_t off, unsigned long *line, unsigned long *col)
{
	const char *p = text, *end = text + off, *nl;

	*line = 1;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		++*line;
		p = nl + 1;
	}
	*col = (unsigned long)(end - p) + 1;
}

char *
joinpath(const char *dir, const char *file)
{
	struct buf b = {0};

	bufputs(&b, dir);
	if (b.len > 0 && b.data[b.len - 1] != '/')
		bufputc(&b, '/');
	bufputs(&b, file);
	return b.data;
}

int
readfile(const char *path, char **data, size_t *len)
{
	struct stat st;
	size_t cap = 65536, n = 0;
	char *p;
	int fd, err = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	/* A regular file fits at once, with a byte to spare so that the read
	** that finds its end needs no more room; anything else grows. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 && (uintmax_t)st.st_size < SIZE_MAX / 2)
		cap = (size_t)st.st_size + 2;
	p = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (cap - n < 2) {
			p = xreallocarray(p, cap, 2);
			cap *= 2;
		}
		r = read(fd, p + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err) {
		free(p);
		errno = err;
		return -1;
	}
	p[n] = '\0';
	*data = p;
	*len = n;
	return 0;
}
