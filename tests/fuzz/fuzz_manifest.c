/*
** fuzz_manifest.c: libFuzzer target for the migc.sum reader: any bytes,
** checked strictly and loosely against a small set, must give a verdict.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "util.h"
#include "sum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct migc_migration migrations[] = {
	{ 1, "a", "c1:5ba0adb5dd4b59aca7e1d57f1472bfd581456b668e66695eb74ee9211287d84d",
	  "r1:5ba0adb5dd4b59aca7e1d57f1472bfd581456b668e66695eb74ee9211287d84d",
	  { "0001_a.sql", "", 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0 }, 0, 0, 0 },
	{ 2, "b", "c1:e90d9e53e7bb54beb6f1221fb74ba8524f45599e61b2291158d8c2e1cfc7e035",
	  "r1:e90d9e53e7bb54beb6f1221fb74ba8524f45599e61b2291158d8c2e1cfc7e035",
	  { "0002_b.sql", "", 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0 }, 0, 0, 0 },
};
static const struct migc_set set = { MIGC_LAYOUT, "none", 0, migrations, 2, "c1:0" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sumproblems p = { NULL, 0, 0 };
	struct buf own = { NULL, 0, 0 };
	int strict;

	for (strict = 0; strict <= 1; strict++) {
		sumcheck(&set, "migc.sum", (const char *)data, size, strict, &p);
		free(p.v);
		p.v = NULL;
		p.n = 0;
		p.nfail = 0;
	}
	/* What migc hash writes must always check clean. */
	sumwrite(&own, &set);
	if (sumcheck(&set, "own", own.data, own.len, 1, &p) != 0)
		abort();
	free(p.v);
	buffree(&own);
	return 0;
}
