/*
** sha256_test.c: checks gen/sha256.c against the FIPS 180-4 / NIST
** example vectors, the padding edges (lengths 55, 56, 63, 64, 65, digests
** from sha256sum), and that the digest does not depend on how the input
** is split across migc__sha256update() calls; then the "s3:" schema
** fingerprint (digest.h) against values computed apart (Python's hashlib
** and integers), and that lines add and take away in any order. One
** [PASS]/[FAIL] line per case.
*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "digest.h"

/* Built twice: as it is (with the SHA extensions where the CPU has
** them) and with -DMIGC_NO_SHA_NI (the plain C blocks), so that both
** paths meet every vector. */
#ifdef MIGC_NO_SHA_NI
#define VARIANT "(plain C) "
#else
#define VARIANT ""
#endif

static int nfail;

static void
check(const char *name, const char *want, const char *got)
{
	if (strcmp(want, got) == 0) {
		printf("[PASS] sha256: " VARIANT "%s\n", name);
	} else {
		printf("[FAIL] sha256: " VARIANT "%s: expected %s got %s\n", name, want, got);
		nfail++;
	}
}

/* Hex digest of data[0..len) fed in one call. */
static void
hashonce(const void *data, size_t len, char hex[65])
{
	struct sha256 s;
	unsigned char d[32];

	migc__sha256init(&s);
	migc__sha256update(&s, data, len);
	migc__sha256final(&s, d);
	migc__sha256hex(d, hex);
}

/* Hex digest of data[0..len) fed in pieces of chunk bytes. */
static void
hashchunked(const unsigned char *data, size_t len, size_t chunk, char hex[65])
{
	struct sha256 s;
	unsigned char d[32];
	size_t off, k;

	migc__sha256init(&s);
	for (off = 0; off < len; off += k) {
		k = len - off < chunk ? len - off : chunk;
		migc__sha256update(&s, data + off, k);
	}
	migc__sha256final(&s, d);
	migc__sha256hex(d, hex);
}

static void
vector(const char *name, const char *msg, const char *want)
{
	char got[65];

	hashonce(msg, strlen(msg), got);
	check(name, want, got);
}

/* One million 'a', fed in chunks of uneven, cycling sizes. */
static void
milliona(void)
{
	static const size_t sizes[] = { 1, 7, 55, 63, 64, 65, 127, 1000, 4096, 3 };
	unsigned char a[4096];
	unsigned char d[32];
	char got[65];
	struct sha256 s;
	size_t left = 1000000, k, i = 0;

	memset(a, 'a', sizeof(a));
	migc__sha256init(&s);
	while (left > 0) {
		k = sizes[i++ % (sizeof(sizes) / sizeof(sizes[0]))];
		if (k > left)
			k = left;
		migc__sha256update(&s, a, k);
		left -= k;
	}
	migc__sha256final(&s, d);
	migc__sha256hex(d, got);
	check("one million 'a' in uneven chunks",
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", got);
}

/* For lengths 0..300, every chunk size 1..130 (1 is byte by byte) must
** give the digest of feeding the input at once. */
static void
splits(void)
{
	unsigned char data[300];
	char want[65], got[65], name[96];
	size_t len, chunk, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + 7);
	for (len = 0; len <= sizeof(data); len++) {
		hashonce(data, len, want);
		for (chunk = 1; chunk <= 130; chunk++) {
			hashchunked(data, len, chunk, got);
			if (strcmp(want, got) != 0) {
				sprintf(name, "split lengths 0..300 chunks 1..130 (length %lu, chunk %lu)",
				        (unsigned long)len, (unsigned long)chunk);
				check(name, want, got);
				return;
			}
		}
	}
	check("split lengths 0..300 chunks 1..130", want, got);
}

static void
padding(size_t len, const char *want)
{
	char a[65], got[65], name[32];

	memset(a, 'a', len);
	hashonce(a, len, got);
	sprintf(name, "%lu 'a' (padding edge)", (unsigned long)len);
	check(name, want, got);
}

/* The s3: fingerprint of text, its lines added to a zeroed sum. */
static void
s3of(const char *text, char out[MIGC__DIGEST_SIZE])
{
	struct migc__linesum s;

	memset(&s, 0, sizeof(s));
	migc__linesumtext(&s, text, 1);
	migc__linesumdigest(&s, out);
}

static void
linesums(void)
{
	struct migc__linesum s;
	char a[MIGC__DIGEST_SIZE], b[MIGC__DIGEST_SIZE];
	static const char two[] = "table\tt\tCREATE TABLE t (x)\ncolumn\tt.x\t\n";

	s3of("", a);
	check("s3: the empty schema", "s3:66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925", a);
	s3of(two, a);
	check("s3: two lines", "s3:326d503d81c5a729533bb61516b007298821fe23c2601062a4b9fc0a0220aa07", a);
	s3of("column\tt.x\t\ntable\tt\tCREATE TABLE t (x)", b);
	check("s3: the same lines in another order, the last without its newline", a, b);
	s3of("a\na\n", a);
	check("s3: a line twice counts twice", "s3:43d3f2e0b7b3a769c672dfecffc389fa22ac271c8d490916f272aab5e65d0d16", a);
	/* Adding lines and taking them away (borrows across all 32 bytes). */
	memset(&s, 0, sizeof(s));
	migc__linesumtext(&s, "x\n", -1);
	migc__linesumtext(&s, two, 1);
	migc__linesumtext(&s, "x\n", 1);
	migc__linesumdigest(&s, a);
	check("s3: a line taken away before it is added", "s3:326d503d81c5a729533bb61516b007298821fe23c2601062a4b9fc0a0220aa07", a);
	migc__linesumtext(&s, two, -1);
	migc__linesumdigest(&s, a);
	check("s3: taking every line away gives the empty schema's",
	      "s3:66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925", a);
}

int
main(void)
{
	vector("empty string", "",
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	vector("abc", "abc",
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vector("448-bit message",
	       "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	vector("896-bit message",
	       "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	       "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	milliona();
	padding(55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	padding(56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	padding(63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
	padding(64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
	padding(65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
	splits();
	linesums();
	return nfail ? 1 : 0;
}
