/*
** grow.h: growable arrays (runtime/grow.c). The one way the runtime and
** the generator make room for one more element at the end of an array
** that doubles as it fills.
*/

#include <stddef.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/*
** Room for one more element in v, an array of n elements of size bytes
** with room for *cap. Returns v while n < *cap; else v moved to a block
** twice as large (16 elements at first) and *cap updated; or NULL when
** out of memory, or when the array would outgrow size_t, with v and *cap
** as they were (v is still the caller's to free).
*/
void *migc__grow(void *v, size_t n, size_t *cap, size_t size);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
