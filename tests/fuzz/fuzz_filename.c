/*
** fuzz_filename.c: libFuzzer target for the migration file name parser:
** an accepted name has a version of at least 1 and a name inside the input.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char file[512];
	const char *name, *why;
	size_t namelen;
	int64_t version;
	int isdown;

	if (size >= sizeof(file))
		return 0;
	memcpy(file, data, size);
	file[size] = '\0';
	if (parsefilename(file, &version, &name, &namelen, &isdown, &why) == 0) {
		if (version < 1 || namelen == 0 || name < file || name + namelen > file + strlen(file))
			abort();
	} else if (!why || !*why) {
		abort();
	}
	return 0;
}
