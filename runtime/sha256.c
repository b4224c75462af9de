/*
** sha256.c: a plain C99 SHA-256 after FIPS 180-4, section 6.2. It backs
** migc's migration checksums; it is a file of its own so that neither the
** generator nor the runtime depends on an external crypto library and the
** static build stays small. Byte order is handled explicitly (big-endian).
** On x86-64 CPUs with the SHA extensions the blocks go through them
** instead (about six times as fast: the generator hashes every migration
** file); build with -DMIGC_NO_SHA_NI for the plain C path alone.
*/

#include <string.h>

#include "sha256.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(MIGC_NO_SHA_NI)
#define SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z)  (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

static uint32_t
load32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
store32(unsigned char *p, uint32_t x)
{
	p[0] = (unsigned char)(x >> 24);
	p[1] = (unsigned char)(x >> 16);
	p[2] = (unsigned char)(x >> 8);
	p[3] = (unsigned char)x;
}

/*
** One round, with the eight working variables named by the caller: eight
** rounds in a row rename them instead of moving them (FIPS 180-4 6.2.2
** step 3 shifts a..h down one place per round), which lets the compiler
** keep them in registers.
*/
#define ROUND(a, b, c, d, e, f, g, h, k, w) do { \
		uint32_t t1 = (h) + BSIG1(e) + CH(e, f, g) + (k) + (w); \
		(d) += t1; \
		(h) = t1 + BSIG0(a) + MAJ(a, b, c); \
	} while (0)

/* Process one 64-byte block. */
static void
block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = load32(p + 4 * i);
	for (; i < 64; i++)
		w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];

	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i += 8) {
		ROUND(a, b, c, d, e, f, g, hh, K[i + 0], w[i + 0]);
		ROUND(hh, a, b, c, d, e, f, g, K[i + 1], w[i + 1]);
		ROUND(g, hh, a, b, c, d, e, f, K[i + 2], w[i + 2]);
		ROUND(f, g, hh, a, b, c, d, e, K[i + 3], w[i + 3]);
		ROUND(e, f, g, hh, a, b, c, d, K[i + 4], w[i + 4]);
		ROUND(d, e, f, g, hh, a, b, c, K[i + 5], w[i + 5]);
		ROUND(c, d, e, f, g, hh, a, b, K[i + 6], w[i + 6]);
		ROUND(b, c, d, e, f, g, hh, a, K[i + 7], w[i + 7]);
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

#ifdef SHA_NI
/*
** The same compression with the SHA extensions (Intel's "SHA
** Extensions" paper): the state lives in two registers as ABEF and CDGH,
** sha256rnds2 does two rounds, sha256msg1/msg2 extend the message four
** words at a time, w[j] holding words 4j..4j+3 in a ring of four.
*/
__attribute__((target("sha,sse4.1")))
static void
blocksni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abef, cdgh, t;
	__m128i w[4];
	int j;

	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);     /* CDAB */
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);  /* EFGH */
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);
	for (; n > 0; n--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh;

		for (j = 0; j < 16; j++) {
			__m128i k;

			if (j < 4) {
				w[j] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * j)), bswap);
			} else {
				t = _mm_sha256msg1_epu32(w[j & 3], w[(j + 1) & 3]);
				t = _mm_add_epi32(t, _mm_alignr_epi8(w[(j + 3) & 3], w[(j + 2) & 3], 4));
				w[j & 3] = _mm_sha256msg2_epu32(t, w[(j + 3) & 3]);
			}
			k = _mm_add_epi32(w[j & 3], _mm_loadu_si128((const __m128i *)&K[4 * j]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	t = _mm_shuffle_epi32(abef, 0x1B);     /* FEBA */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);  /* DCHG */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xF0));   /* DCBA */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));      /* HGFE */
}

/* 1 when the CPU has the SHA extensions (and SSSE3 and SSE4.1 beside
** them), found once; a relaxed atomic, as threads may ask at once. */
static int
hasshani(void)
{
	static int known = -1;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);
	unsigned a, b, c, d;

	if (v >= 0)
		return v;
	v = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
	__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	return v;
}
#endif

/* Process n consecutive 64-byte blocks. */
static void
blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA_NI
	if (hasshani()) {
		blocksni(h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		block(h, p);
}

void
migc__sha256init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
	};

	memcpy(s->h, iv, sizeof(iv));
	s->n = 0;
	s->nbuf = 0;
}

void
migc__sha256update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t k;

	if (len == 0)
		return;
	s->n += len;
	if (s->nbuf > 0) {
		k = 64 - s->nbuf;
		if (k > len)
			k = len;
		memcpy(s->buf + s->nbuf, p, k);
		s->nbuf += k;
		p += k;
		len -= k;
		if (s->nbuf < 64)
			return;
		blocks(s->h, s->buf, 1);
		s->nbuf = 0;
	}
	blocks(s->h, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	if (len > 0) {
		memcpy(s->buf, p, len);
		s->nbuf = len;
	}
}

void
migc__sha256final(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->n * 8;
	int i;

	/* Append 0x80, zeros up to 56 mod 64, then the 64-bit big-endian bit length. */
	s->buf[s->nbuf++] = 0x80;
	if (s->nbuf > 56) {
		memset(s->buf + s->nbuf, 0, 64 - s->nbuf);
		block(s->h, s->buf);
		s->nbuf = 0;
	}
	memset(s->buf + s->nbuf, 0, 56 - s->nbuf);
	store32(s->buf + 56, (uint32_t)(bits >> 32));
	store32(s->buf + 60, (uint32_t)bits);
	block(s->h, s->buf);
	s->nbuf = 0;

	for (i = 0; i < 8; i++)
		store32(out + 4 * i, s->h[i]);
}

void
migc__sha256hex(const unsigned char digest[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
}
