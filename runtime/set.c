/*
** set.c: questions about the embedded set alone: which migration has a
** version, which old checksums a migration accepts, and where in its file
** a statement (or a byte of one) is.
*/
#include <string.h>

#include "migc.h"
#include "internal.h"

const struct migc_migration *
migc_find(const struct migc_set *set, int64_t version)
{
	unsigned long lo = 0, hi = set ? set->count : 0;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		int64_t v = set->migrations[mid].version;

		if (v == version)
			return &set->migrations[mid];
		if (v < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
migc_also_accepts(const struct migc_migration *mig, const char *checksum)
{
	unsigned long i;

	for (i = 0; mig && checksum && i < mig->naccept; i++)
		if (strcmp(mig->accept[i], checksum) == 0)
			return 1;
	return 0;
}

int
migc__stmtpos(const struct migc_script *sc, unsigned long i, long erroff,
        unsigned long *line, unsigned long *col)
{
	const struct migc_stmt *st = &sc->stmts[i];
	unsigned long p, start = st->offset, end = st->offset;

	*line = st->line;
	if (erroff >= 0 && (unsigned long)erroff <= st->length)
		end = st->offset + (unsigned long)erroff;
	while (start > 0 && sc->sql[start - 1] != '\n')
		start--;
	for (p = st->offset; p < end; p++) {
		if (sc->sql[p] == '\n') {
			++*line;
			start = p + 1;
		}
	}
	*col = end - start + 1;
	return 0;
}
