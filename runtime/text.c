/*
** text.c: strings that grow, and places in text. The runtime's messages,
** the statements it sends in one message and the generator's output are
** all built here; the scanner's checks and the drivers' errors both turn
** a byte offset into file:line:col here.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int
migc__room(char **s, size_t *cap, size_t len, size_t n)
{
	size_t want, ncap;
	char *p;

	if (n > SIZE_MAX - len - 1)
		return -1;
	want = len + n + 1;
	if (*s && want <= *cap)
		return 0;
	ncap = *cap ? *cap : 256;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	p = realloc(*s, ncap);
	if (!p)
		return -1;
	*s = p;
	*cap = ncap;
	return 0;
}

void
migc__textadd(struct migc__text *t, const void *s, size_t n)
{
	if (t->nomem)
		return;
	if (migc__room(&t->s, &t->cap, t->n, n) != 0) {
		t->nomem = 1;
		return;
	}
	if (n)
		memcpy(t->s + t->n, s, n);
	t->n += n;
	t->s[t->n] = '\0';
}

void
migc__textputs(struct migc__text *t, const char *s)
{
	migc__textadd(t, s, strlen(s));
}

void
migc__textvprintf(struct migc__text *t, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (t->nomem)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || migc__room(&t->s, &t->cap, t->n, (size_t)n) != 0) {
		t->nomem = 1;
		return;
	}
	vsnprintf(t->s + t->n, (size_t)n + 1, fmt, ap);
	t->n += (size_t)n;
}

void
migc__textprintf(struct migc__text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	migc__textvprintf(t, fmt, ap);
	va_end(ap);
}

void
migc__place(const char *text, size_t from, size_t to, size_t bol, unsigned long *line, unsigned long *col)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (text[i] == '\n') {
			++*line;
			bol = i + 1;
		}
	}
	*col = (unsigned long)(to - bol + 1);
}
