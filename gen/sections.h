/*
** sections.h: where the parts of a single-file migration are (goose's,
** dbmate's or sql-migrate's layout; gen/sections.c): its up and down
** sections, the blocks sent as one statement and each section's options,
** so that load.c can cut it into an up and a down script as if they were
** two migc files.
*/

struct diags;           /* gen/diag.h */
struct stmt;            /* gen/scan.h; enum layout is gen/layout.h's */

/* A part of the text, text[start..end), and the line it belongs to: a
** block (the lines between a StatementBegin, on line, and its
** StatementEnd) or an annotation line. */
struct block {
	size_t start, end;
	unsigned long line;
};

/* Where a single file's parts are, as byte offsets into its canonical text. */
struct sections {
	enum layout layout;
	size_t upend;           /* the up section is text[0..upend): to the down mark's line */
	size_t downstart;       /* the down section is text[downstart..len); len when there is none */
	unsigned long downline; /* the line downstart is on */
	int upnotx, downnotx;   /* the section runs outside a transaction */
	struct block *blocks;
	size_t nblocks;
	struct block *marks;    /* every mark's line */
	size_t nmarks;
};

/* Read the sections of the file text[0..len) at path, of a single-file
** layout. Problems go to d, each at its line; returns 0, or -1 when there
** was one. */
int readsections(enum layout layout, const char *path, const char *text, size_t len, struct sections *s,
                 struct diags *d);
void freesections(struct sections *s);

/* stmts[0..n), a section's statements with offsets from byte base of the
** file: a mark's line inside one of them is an error on d. */
void checkmarks(const char *path, const struct sections *s, size_t base, const struct stmt *stmts, size_t n,
                struct diags *d);

/* sql-migrate's layout: text[0..len), a section that starts at byte
** base of the file, on line line0 + 1, and stmts[0..n) its statements:
** a "-- " line inside a statement (sql-migrate leaves it out) and a line
** where sql-migrate would end a statement and migc does not are errors. */
void checksplits(const char *path, const struct sections *s, const char *text, size_t len, size_t base,
                 unsigned long line0, const struct stmt *stmts, size_t n, struct diags *d);

/* stmts[0..*n), a section's statements with offsets from byte base of the
** file: make the statements of each block in it one statement (goose
** and sql-migrate send a block as it is). A statement that runs into or out of a block
** is an error on d. */
void joinblocks(const char *path, const struct sections *s, size_t base, struct stmt *stmts, size_t *n,
                struct diags *d);
