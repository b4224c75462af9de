/*
** sha384.h: SHA-384 (FIPS 180-4), which sqlx records as each applied
** migration's checksum: migc adopt compares it with the embedded file.
*/

#include <stddef.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* The SHA-384 of data[0..len), as 96 lower-case hex digits and a NUL. */
void migc__sha384hex(const void *data, size_t len, char out[97]);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
