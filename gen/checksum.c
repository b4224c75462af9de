/*
** checksum.c: what migc's checksums cover, a contract (README.md,
** "Checksums"): an up file's canonical bytes (no leading BOM, every CRLF
** and lone CR as LF, every other byte kept) for "c1:", its bytes as they
** are for "r1:", and, for the set hash, one line per migration. A file of
** its own so that the definition is in one place: the loader and
** migc.sum's reader both canonicalise here.
*/
#include <stdint.h>
#include <string.h>

#include "migc.h"
#include "digest.h"
#include "util.h"
#include "checksum.h"

char *
canonicalize(const char *raw, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t i = 0, n = 0;

	if (len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < len; i++) {
		if (raw[i] == '\r') {
			out[n++] = '\n';
			if (i + 1 < len && raw[i + 1] == '\n')
				i++;
		} else {
			out[n++] = raw[i];
		}
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

int
iscanonical(const char *raw, size_t len)
{
	return !(len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0) && !memchr(raw, '\r', len);
}

size_t
rawlength(const char *raw, size_t len, size_t canonlen)
{
	size_t i = 0, n = 0;

	if (len >= 3 && memcmp(raw, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < len && n < canonlen; i++, n++)
		if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
			i++;
	return i;
}

void
filechecksums(const char *raw, size_t rawlen, const char *text, size_t len,
              char sum[68], char rawsum[68])
{
	migc__digest("c1:", text, len, sum);
	if (raw == text || (rawlen == len && memcmp(raw, text, len) == 0)) {
		/* No BOM and no CR: the raw bytes are the canonical ones. */
		memcpy(rawsum, "r1:", 3);
		memcpy(rawsum + 3, sum + 3, 65);
	} else {
		migc__digest("r1:", raw, rawlen, rawsum);
	}
}

void
sethash(struct migc_set *set, const struct migc_migration *m, size_t n)
{
	struct buf b = {0};
	char *hash = xmalloc(68);
	size_t i;

	for (i = 0; i < n; i++)
		bufprintf(&b, "%lld %s\n", (long long)m[i].version, m[i].checksum);
	migc__digest("c1:", b.data ? b.data : "", b.len, hash);
	buffree(&b);
	set->hash = hash;
}
