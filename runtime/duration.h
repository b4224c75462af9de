/*
** duration.h: reading a duration with its unit (runtime/duration.c), as
** the command line's --ddl-lock-timeout and --statement-timeout and the
** generator's -- migc:lock-timeout directive write it.
*/

#include <stddef.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* What a duration looks like, for the messages that refuse one. */
#define MIGC__DURATION_FORMS "a number and its unit, as in 500ms, 5s or 1min (at most 2147483647ms)"

/*
** The duration s[0..n): one or more decimal digits and a unit, ms, s or
** min, nothing before, between or after, at most 2147483647 ms (INT_MAX,
** PostgreSQL's largest timeout), into *ms. Returns 0; or -1, *ms
** untouched.
*/
int migc__parseduration(const char *s, size_t n, long *ms);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
