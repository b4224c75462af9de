/*
** json.h: writing a JSON string (runtime/json.c), for every --json
** output of the runtime's command line and of the developer tool.
*/

#include <stdio.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/*
** Write s to f as a JSON string, quotes included: '"' and '\' escaped
** with a backslash, a newline as \n, every other control character as
** \u00XX; every other byte, invalid UTF-8 included, goes out as it is.
** NULL writes "".
*/
void migc__jsonstr(FILE *f, const char *s);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
