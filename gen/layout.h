/*
** layout.h: how a migration directory's files are laid out: migc's own,
** or another tool's, read as that tool reads it (gen/layout.c).
*/

enum layout {
	LAYOUT_MIGC = 0,        /* NNNN_name.sql and NNNN_name.down.sql */
	LAYOUT_GOOSE,           /* NNNN_name.sql with -- +goose Up / Down */
	LAYOUT_DBMATE,          /* NNNN_name.sql with -- migrate:up / down */
	LAYOUT_SQLMIGRATE       /* NNNN_name.sql with -- +migrate Up / Down */
};

/* The names --layout takes, as a usage line shows them. */
#define LAYOUT_NAMES "migc|goose|dbmate|sql-migrate"

/* Set *out to the layout s names ("goose"): 0, or -1 for none. */
int parselayout(const char *s, enum layout *out);

/* Whether a file of the layout holds both sections of a migration, each
** after its mark (gen/marks.c, gen/sections.c). */
int singlefile(enum layout layout);
