/*
** siphash.h: SipHash-1-3 with the key 0 (Aumasson and Bernstein's SipHash,
** one compression round and three finalization rounds), which refinery
** records as each applied migration's checksum: migc adopt compares it.
*/

#include <stddef.h>
#include <stdint.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

uint64_t migc__siphash13(const void *data, size_t len);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
