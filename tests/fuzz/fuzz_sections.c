/*
** fuzz_sections.c: libFuzzer target for the single-file layouts (goose's,
** dbmate's, sql-migrate's: gen/sections.c and gen/marks.c, the first byte
** choosing which) and the checksum's cut (gen/checksum.c rawlength).
** Whatever the bytes:
** readsections returns, with its parts inside the text and in order, and a
** refusal has a message; the statements of each section, blocks joined,
** stay inside it and in order; and the raw bytes before the cut
** canonicalize to exactly the text before it.
*/
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migc.h"
#include "scan.h"
#include "util.h"
#include "diag.h"
#include "checksum.h"
#include "layout.h"
#include "sections.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Split text[start..end) (a copy, NUL-terminated) and join its blocks. */
static void
section(const struct sections *s, const char *text, size_t start, size_t end, struct diags *d)
{
	char *part = xmemdup(text + start, end - start);
	struct stmt *v = NULL;
	struct scanerr err;
	size_t n = 0, i, last = 0;

	if (scansql(DIALECT_SQLITE, part, end - start, &v, &n, &err) == 0) {
		checkmarks("f.sql", s, start, v, n, d);
		checksplits("f.sql", s, part, end - start, start, 0, v, n, d);
		joinblocks("f.sql", s, start, v, &n, d);
		for (i = 0; i < n; i++) {
			if (v[i].off < last || v[i].len == 0 || v[i].off + v[i].len > end - start)
				abort();
			last = v[i].off + v[i].len;
		}
	}
	free(v);
	free(part);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum layout layouts[] = { LAYOUT_GOOSE, LAYOUT_DBMATE, LAYOUT_SQLMIGRATE };
	struct diags d = {{0}, 0, 0};
	struct sections s;
	size_t len, cut, i;
	enum layout layout;
	char *text, *again;

	if (size == 0)
		return 0;
	layout = layouts[data[0] % 3];
	data++;
	size--;
	text = canonicalize((const char *)data, size, &len);
	if (readsections(layout, "f.sql", text, len, &s, &d) == 0) {
		if (s.upend > len || s.downstart != s.upend || (s.downstart < len && s.downline == 0))
			abort();
		for (i = 0; i < s.nblocks; i++)
			if (s.blocks[i].start > s.blocks[i].end || s.blocks[i].end > len ||
			    (i > 0 && s.blocks[i].start < s.blocks[i - 1].end))
				abort();
		section(&s, text, 0, s.upend, &d);
		section(&s, text, s.downstart, len, &d);
		cut = rawlength((const char *)data, size, s.upend);
		if (cut > size)
			abort();
		again = canonicalize((const char *)data, cut, &i);
		if (i != s.upend || memcmp(again, text, i) != 0)
			abort();
		free(again);
	} else if (d.nerrors == 0 || d.text.len == 0) {
		abort();
	}
	freesections(&s);
	buffree(&d.text);
	free(text);
	return 0;
}
