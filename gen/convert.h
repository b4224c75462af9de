/*
** convert.h: one migration of another tool's layout written as migc's
** own files (gen/convert.c), for migc import (gen/cmdimport.c).
*/

struct migc_migration;  /* runtime/migc.h; enum layout is gen/layout.h's, struct buf gen/util.h's */

/* What convert added to the files, for import's table. */
#define CONVERT_MARKS       0x1   /* the tool's mark lines left out */
#define CONVERT_NOTX_UP     0x2   /* -- migc:no-transaction added to the up file */
#define CONVERT_NOTX_DOWN   0x4   /* ... and to the down file */
#define CONVERT_ACCEPT      0x8   /* -- migc:also-accept with the tool layout's checksum */
#define CONVERT_CHANGED     0x10  /* the up file's text is not what the checksum covered */

/* A migration in migc's layout. */
struct converted {
	char *up, *down;        /* file names, NNNN_name.sql and NNNN_name.down.sql; down NULL: none */
	struct buf uptext, downtext;
	unsigned added;         /* CONVERT_* */
	unsigned split;         /* blocks that migc's layout sends statement by statement (gen/cmdimport.c) */
};

/*
** Write m, a migration of dialect read in layout from the file named
** file (its up file, as the set names it), as migc's layout would hold
** it: the same statements, with the tool's mark lines left out and its
** transaction options as migc directives. When the up file's text then
** differs from what m's checksum covers and accept is set, it also
** accepts that checksum, so that a database that recorded it (migc with
** --layout, or adopt with such a set) still verifies. Free with
** freeconverted().
*/
void convert(const struct migc_migration *m, enum layout layout, enum dialect dialect, int accept,
             struct converted *c);
void freeconverted(struct converted *c);
