/*
** digest.c: migc's tagged digests (digest.h), the one place that turns a
** SHA-256 into "c1:...", "r1:...", "s1:...", "s2:...", "s3:..." or "h1:...".
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

void
migc__linesumcombine(struct migc__linesum *to, const struct migc__linesum *s, int sign)
{
	unsigned carry = 0, v;
	int i;

	for (i = 31; i >= 0; i--) {
		v = sign > 0 ? (unsigned)to->v[i] + s->v[i] + carry : (unsigned)to->v[i] - s->v[i] - carry;
		to->v[i] = (unsigned char)v;
		carry = sign > 0 ? v >> 8 : (v >> 8) & 1;
	}
}

/* s += sign * SHA-256(line[0..n)), modulo 2^256. */
void
migc__linesumadd(struct migc__linesum *s, const char *line, size_t n, int sign)
{
	struct migc__linesum d;
	struct sha256 h;

	migc__sha256init(&h);
	migc__sha256update(&h, line, n);
	migc__sha256final(&h, d.v);
	migc__linesumcombine(s, &d, sign);
}

/* s += sign * each newline-ended line of text. */
void
migc__linesumtext(struct migc__linesum *s, const char *text, int sign)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		migc__linesumadd(s, text, n, sign);
		text += n + (text[n] == '\n');
	}
}

void
migc__linesumdigest(const struct migc__linesum *s, char out[MIGC__DIGEST_SIZE])
{
	migc__digest("s3:", s->v, sizeof(s->v), out);
}
