/*
** fuzz_scan.c: libFuzzer target for the SQL splitter, built once per
** dialect (FUZZ_DIALECT). Whatever the bytes, scansql() must return, and
** the statements it finds must lie inside the text, in order.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct stmt *v = NULL;
	struct scanerr err;
	size_t n = 0, i, end = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (scansql(FUZZ_DIALECT, text, size, &v, &n, &err) == 0) {
		for (i = 0; i < n; i++) {
			if (v[i].off < end || v[i].len == 0 || v[i].off + v[i].len > size)
				abort();
			end = v[i].off + v[i].len;
		}
	} else if (err.line == 0 || err.col == 0 || err.msg[0] == '\0') {
		abort();
	}
	free(v);
	free(text);
	return 0;
}
