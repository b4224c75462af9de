/*
** digest.c: migc's tagged digests (digest.h), the one place that turns a
** SHA-256 into "c1:...", "r1:...", "s1:..." or "h1:...".
*/
#include <string.h>

#include "digest.h"
#include "sha256.h"

void
migc__digestof(const char *tag, const struct sha256 *s, char out[MIGC__DIGEST_SIZE])
{
	struct sha256 copy = *s;
	unsigned char digest[32];

	migc__sha256final(&copy, digest);
	memcpy(out, tag, 3);
	migc__sha256hex(digest, out + 3);
}

void
migc__digest(const char *tag, const void *data, size_t len, char out[MIGC__DIGEST_SIZE])
{
	struct sha256 s;

	migc__sha256init(&s);
	migc__sha256update(&s, data, len);
	migc__digestof(tag, &s, out);
}
