/*
** layout.h: how a migration directory's files are laid out: migc's own,
** or another tool's, read as that tool reads it (gen/layout.c).
*/

enum layout {
	LAYOUT_MIGC = 0,        /* NNNN_name.sql and NNNN_name.down.sql */
	LAYOUT_GOOSE,           /* NNNN_name.sql with -- +goose Up / Down */
	LAYOUT_DBMATE,          /* NNNN_name.sql with -- migrate:up / down */
	LAYOUT_SQLMIGRATE,      /* NNNN_name.sql with -- +migrate Up / Down */
	LAYOUT_GOLANGMIGRATE,   /* NNNN_name.up.sql and NNNN_name.down.sql */
	LAYOUT_SQLX,            /* NNNN_name.sql, or NNNN_name.up.sql and .down.sql */
	LAYOUT_FLYWAY,          /* V<n>__name.sql and U<n>__name.sql (undo) */
	LAYOUT_REFINERY,        /* V<n>__name.sql and U<n>__name.sql (unversioned) */
	LAYOUT_FLYWAYDOTTED     /* Flyway's, its dotted versions mapped to whole numbers (gen/names.c) */
};

/* The names --layout takes, as a usage line shows them. */
#define LAYOUT_NAMES "migc|goose|dbmate|sql-migrate|golang-migrate|sqlx|flyway|refinery|flyway-dotted"

/* Set *out to the layout s names ("goose"): 0, or -1 for none. */
int parselayout(const char *s, enum layout *out);

/* Whether a file of the layout holds both sections of a migration, each
** after its mark (gen/marks.c, gen/sections.c). */
int singlefile(enum layout layout);

/* Whether the layout is Flyway's (flyway or flyway-dotted). */
int flywaylike(enum layout layout);

/* Whether the layout's up files are NNNN_name.up.sql (golang-migrate's,
** and sqlx's reversible migrations). */
int upsuffix(enum layout layout);

/* How a file of a layout runs outside a transaction, for messages: "add
** WHAT WHERE" ("-- migc:no-transaction", " to this file"). */
struct notxhint {
	const char *what, *where;
};

const struct notxhint *notxhint(enum layout layout);
