/*
** fuzz_filename.c: libFuzzer target for the migration file name parsers
** (migc's and Flyway's, both ways of numbering): an accepted name has a
** version of at least 1 and a name inside the input.
** The same input goes to gen/foreign.c, as a file name (beside its
** golang-migrate and Flyway siblings) and as file content: whatever it
** refuses has a message.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "names.h"
#include "foreign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each refusal is one diagnostic line. */
static void
foreign(const char *file, const uint8_t *data, size_t size)
{
	static char down[] = "1_x.down.sql", up[] = "1_x.up.sql", v[] = "V1__x.sql";
	char *names[4];
	struct diags d = {{0}, 0, 0};
	char *text = malloc(size + 1);
	size_t i, n = 0;
	int refused, before;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	names[n++] = down;
	names[n++] = up;
	names[n++] = v;
	if (strcmp(file, down) != 0 && strcmp(file, up) != 0 && strcmp(file, v) != 0)
		names[n++] = (char *)file;
	for (i = n - 1; i > 0 && strcmp(names[i - 1], names[i]) > 0; i--) {
		char *t = names[i];

		names[i] = names[i - 1];
		names[i - 1] = t;
	}
	refused = foreignname("dir/f", file, names, n, 0, &d);
	if (refused != (d.nerrors == 1))
		abort();
	before = d.nerrors;
	refused = foreigntext("dir/f", file, text, size, 0, &d);
	if (refused != (d.nerrors == before + 1))
		abort();
	buffree(&d.text);
	free(text);
}

/* Flyway's names, with whole and with dotted versions: an accepted one
** has a version of at least 1, a dotted one no larger than the rule lets
** it be, and the whole reading agrees with the dotted one scaled. */
static void
flyway(const char *file)
{
	const char *name, *why;
	size_t namelen;
	int64_t whole, dotted;
	int isdown, w, t;

	w = parseflyway(file, 0, &whole, &name, &namelen, &isdown, &why) == 0;
	if (!w && (!why || !*why))
		abort();
	t = parseflyway(file, 1, &dotted, &name, &namelen, &isdown, &why) == 0;
	if (!t && (!why || !*why))
		abort();
	if ((w && whole < 1) || (t && dotted < 1))
		abort();
	if (w && t && whole <= 9223372036853 && dotted != whole * 1000000)
		abort();
}

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
	flyway(file);
	foreign(file, data, size);
	return 0;
}
