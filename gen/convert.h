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

/* One file of migc's layout: its name, its text, and for each of its
** lines the line of the source file it comes from (0: one convert added). */
struct convfile {
	char *name;             /* NNNN_name.sql or NNNN_name.down.sql; NULL: none */
	struct buf text;
	unsigned long *lines;
	size_t nlines;
};

/* A migration in migc's layout. */
struct converted {
	struct convfile up, down;
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

struct migc_set;        /* runtime/migc.h; struct diags is gen/diag.h's */

/*
** Whether back, the files convert wrote for set (cv[i] for its
** migration i) read back in migc's layout, runs what set, read from src in
** tool's layout, runs: the same versions, names, statements (a block the
** tool sends as one may be several, except outside a transaction on
** PostgreSQL), options and accepted checksums. Counts the blocks cut in
** cv[i].split; the repeatable migrations likewise (rv[i] for the set's
** repeatables[i]). Each difference goes to d, naming src's file and line.
*/
int sameset(const char *src, const char *tool, enum dialect dialect, const struct migc_set *set,
            const struct migc_set *back, struct converted *cv, struct converted *rv, struct diags *d);

/* text, the diagnostics of reading back the files written into dir tmp,
** onto d: each at the file and line of src its line came from. */
void placediags(const char *tmp, const char *src, const struct migc_set *set, const struct converted *cv,
                const struct converted *rv, const struct buf *text, struct diags *d);
