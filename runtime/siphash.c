/*
** siphash.c: SipHash-1-3 keyed with zeros, as Rust's SipHasher13::new()
** (the siphasher crate's and the standard library's) computes it over a
** stream of bytes.
*/

#include "siphash.h"

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void
sipround(uint64_t v[4])
{
	v[0] += v[1], v[1] = ROTL(v[1], 13), v[1] ^= v[0], v[0] = ROTL(v[0], 32);
	v[2] += v[3], v[3] = ROTL(v[3], 16), v[3] ^= v[2];
	v[0] += v[3], v[3] = ROTL(v[3], 21), v[3] ^= v[0];
	v[2] += v[1], v[1] = ROTL(v[1], 17), v[1] ^= v[2], v[2] = ROTL(v[2], 32);
}

/* Mix word m in, with one round. */
static void
compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	v[0] ^= m;
}

uint64_t
migc__siphash13(const void *data, size_t len)
{
	uint64_t v[4] = { 0x736f6d6570736575u, 0x646f72616e646f6du, 0x6c7967656e657261u, 0x7465646279746573u };
	const unsigned char *p = data;
	uint64_t m, last = (uint64_t)len << 56;
	size_t i, k;

	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, k = 8; k > 0; k--)
			m = m << 8 | p[i + k - 1];
		compress(v, m);
	}
	for (k = 0; i + k < len; k++)
		last |= (uint64_t)p[i + k] << (8 * k);
	compress(v, last);
	v[2] ^= 0xff;
	sipround(v);
	sipround(v);
	sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
