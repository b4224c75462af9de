/*
** sections.h: the layouts migc reads besides its own (gen/sections.c).
** A goose file holds a migration's Up and Down sections in one file;
** this finds where each is, the blocks goose sends as one statement and
** the file's options, so that load.c can cut it into an up and a down
** script as if they were two migc files.
*/

struct diags;           /* gen/diag.h */
struct stmt;            /* gen/scan.h */

enum layout {
	LAYOUT_MIGC = 0,        /* NNNN_name.sql and NNNN_name.down.sql */
	LAYOUT_GOOSE = 1        /* NNNN_name.sql with -- +goose Up / Down */
};

/* Set *out to the layout s names ("migc", "goose"): 0, or -1 for none. */
int parselayout(const char *s, enum layout *out);

/* A part of the text, text[start..end), and the line it belongs to: a
** block (the lines between a StatementBegin, on line, and its
** StatementEnd) or an annotation line. */
struct block {
	size_t start, end;
	unsigned long line;
};

/* Where a single file's parts are, as byte offsets into its canonical text. */
struct sections {
	size_t upend;           /* the up section is text[0..upend): to the Down annotation's line */
	size_t downstart;       /* the down section is text[downstart..len); len when there is none */
	unsigned long downline; /* the line downstart is on */
	int notx;               /* -- +goose NO TRANSACTION: both sections run outside a transaction */
	struct block *blocks;
	size_t nblocks;
	struct block *marks;    /* every annotation line */
	size_t nmarks;
};

/* Read the sections of the goose file text[0..len) at path. Problems go
** to d, each at its line; returns 0, or -1 when there was one. */
int readsections(const char *path, const char *text, size_t len, struct sections *s, struct diags *d);
void freesections(struct sections *s);

/* stmts[0..n), a section's statements with offsets from byte base of the
** file: an annotation line inside one of them is an error on d. */
void checkmarks(const char *path, const struct sections *s, size_t base, const struct stmt *stmts, size_t n,
                struct diags *d);

/* stmts[0..*n), a section's statements with offsets from byte base of the
** file: make the statements of each block in it one statement (goose
** sends a block as it is). A statement that runs into or out of a block
** is an error on d. */
void joinblocks(const char *path, const struct sections *s, size_t base, struct stmt *stmts, size_t *n,
                struct diags *d);
