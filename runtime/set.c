/*
** set.c: questions about the embedded set alone: which migration has a
** version, which old checksums a migration accepts, and where in its file
** a statement (or a byte of one) is.
*/
#include <string.h>

#include "migc.h"
#include "internal.h"
#include "text.h"

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
	unsigned long bol = st->offset, end = st->offset;

	if (erroff >= 0 && (unsigned long)erroff <= st->length)
		end = st->offset + (unsigned long)erroff;
	while (bol > 0 && sc->sql[bol - 1] != '\n')
		bol--;
	*line = st->line;
	migc__place(sc->sql, st->offset, end, bol, line, col);
	return 0;
}
