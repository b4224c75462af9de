/*
** fuzz_complete.c: libFuzzer differential target: the SQLite dialect's
** statement boundaries must be where sqlite3_complete() puts them
** (tests/unit/complete_diff.c states the rules).
*/
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "complete_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *db;
	const char *why;
	char *text;

	if (size > 4096 || memchr(data, 0, size))
		return 0;
	if (!db && sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	why = completediff(db, text, size);
	if (why) {
		fprintf(stderr, "fuzz_complete: %s\n", why);
		abort();
	}
	free(text);
	return 0;
}
