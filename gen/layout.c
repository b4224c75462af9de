/*
** layout.c: the names of the layouts migc reads (gen/layout.h).
*/
#include <string.h>

#include "layout.h"

static const char *const names[] = { "migc", "goose", "dbmate", "sql-migrate" };

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
