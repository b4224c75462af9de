/*
** digest.h: migc's tagged digests: a three-byte tag naming what was hashed
** and how ("c1:" a migration's canonical text or a statement prefix, "r1:"
** its raw bytes, "s1:" a normalised schema, "h1:" a migc.sum chain link),
** then the SHA-256 in 64 lower-case hex digits. The definitions are
** contracts (README, *Checksums*): change one only with a new tag.
*/

#include <stddef.h>

struct sha256;

/* Internal: hidden from a shared library built on libmigc.a (migc__ names). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* A tagged digest is this long, with its NUL. */
#define MIGC__DIGEST_SIZE 68

/* tag + SHA-256 of len bytes at data. */
void migc__digest(const char *tag, const void *data, size_t len, char out[MIGC__DIGEST_SIZE]);

/* tag + the digest of what s holds so far; s itself goes on. */
void migc__digestof(const char *tag, const struct sha256 *s, char out[MIGC__DIGEST_SIZE]);

/*
** An "s3:" schema fingerprint as it is made: the sum, modulo 2^256, of the
** SHA-256 of each line (a 256-bit big-endian number), so that lines can be
** added and taken away in any order; its digest is "s3:" + the SHA-256 of
** the sum's 32 bytes. A zeroed sum is the empty schema's.
*/
struct migc__linesum {
	unsigned char v[32];
};

/* to += sign (1 or -1) * s, modulo 2^256. */
void migc__linesumcombine(struct migc__linesum *to, const struct migc__linesum *s, int sign);

/* s += sign (1 or -1) * SHA-256(line[0..n)). */
void migc__linesumadd(struct migc__linesum *s, const char *line, size_t n, int sign);

/* The same for each line of text, newline-ended (the last may not be). */
void migc__linesumtext(struct migc__linesum *s, const char *text, int sign);

void migc__linesumdigest(const struct migc__linesum *s, char out[MIGC__DIGEST_SIZE]);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif
