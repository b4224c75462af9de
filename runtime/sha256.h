/*
** sha256.h: SHA-256 (FIPS 180-4), used for migc's checksum contract:
** each migration's text is hashed so that an edited, already-applied
** migration is detected. Kept in-tree so the static build needs no
** external crypto library.
*/

#include <stddef.h>
#include <stdint.h>

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

struct sha256 {
	uint32_t h[8];           /* chaining state */
	uint64_t n;              /* message length so far, in bytes */
	unsigned char buf[64];   /* partial block */
	size_t nbuf;             /* bytes used in buf, 0..63 */
};

/* Start a new digest. */
void migc__sha256init(struct sha256 *s);

/* Add len bytes at data (which may be NULL when len is 0). */
void migc__sha256update(struct sha256 *s, const void *data, size_t len);

/* Finish and write the 32-byte digest to out; s must be re-initialised
** with migc__sha256init() before it is used again. */
void migc__sha256final(struct sha256 *s, unsigned char out[32]);

/* Write digest as 64 lower-case hex digits and a terminating NUL. */
void migc__sha256hex(const unsigned char digest[32], char out[65]);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
