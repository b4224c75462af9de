/*
** layout.c: the layouts migc reads, their names and what sets them apart
** (gen/layout.h).
*/
#include <string.h>

#include "layout.h"

static const char *const names[] = {
	"migc", "goose", "dbmate", "sql-migrate", "golang-migrate", "sqlx", "flyway", "refinery", "flyway-dotted"
};

#define FLYWAYNOTX " to this file (Flyway reads it as a comment, and would have refused this file, mixing " \
	"statements that need a transaction with one that cannot have one)"

static const struct notxhint hints[] = {
	[LAYOUT_MIGC] = { "-- migc:no-transaction", " to this file" },
	[LAYOUT_GOOSE] = { "-- +goose NO TRANSACTION", " to this file" },
	[LAYOUT_DBMATE] = { "transaction:false", " to this section's -- migrate: line" },
	[LAYOUT_SQLMIGRATE] = { "notransaction", " to this section's -- +migrate line" },
	[LAYOUT_GOLANGMIGRATE] = { "-- migc:no-transaction", " to this file (golang-migrate reads it as a comment; it "
	                           "runs this file in one transaction, explicit or implicit, where this fails, unless "
	                           "the statement is alone in a PostgreSQL file)" },
	[LAYOUT_SQLX] = { "-- no-transaction", " as this file's first line" },
	[LAYOUT_FLYWAY] = { "-- migc:no-transaction", FLYWAYNOTX },
	[LAYOUT_REFINERY] = { "-- refinery:noTransaction", " on a line of its own in this file" },
	[LAYOUT_FLYWAYDOTTED] = { "-- migc:no-transaction", FLYWAYNOTX },
};

int
parselayout(const char *s, enum layout *out)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum layout)i;
			return 0;
		}
	}
	return -1;
}

int
singlefile(enum layout layout)
{
	return layout == LAYOUT_GOOSE || layout == LAYOUT_DBMATE || layout == LAYOUT_SQLMIGRATE;
}

int
flywaylike(enum layout layout)
{
	return layout == LAYOUT_FLYWAY || layout == LAYOUT_FLYWAYDOTTED;
}

int
upsuffix(enum layout layout)
{
	return layout == LAYOUT_GOLANGMIGRATE || layout == LAYOUT_SQLX;
}

const struct notxhint *
notxhint(enum layout layout)
{
	return &hints[layout];
}
