/*
** grow.c: growable arrays. The tracking rows, the schema lines, the
** drift list, the scanner's statements and the generator's lists all
** grow by doubling; this is the one place that does it, overflow check
** included. Each caller says what running out of memory means for it.
*/
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

void *
migc__grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap < *cap || size == 0 || ncap > SIZE_MAX / size)
		return NULL;
	p = realloc(v, ncap * size);
	if (!p)
		return NULL;
	*cap = ncap;
	return p;
}
