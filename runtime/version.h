/*
** version.h: reading a migration version (runtime/version.c), from a
** file name (0001_init.sql) or from the command line (--to V, show V).
*/

#include <stdint.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/*
** Read the decimal digits at the start of s into *v. Returns the end of
** the digits: s itself when s starts with none (*v is then 0), or NULL
** when they stand for more than INT64_MAX.
*/
const char *migc__versiondigits(const char *s, int64_t *v);

/* A version operand: one or more decimal digits and nothing else, 0 to
** INT64_MAX, into *v. Returns 0, or -1 (*v untouched). */
int migc__parseversion(const char *s, int64_t *v);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
