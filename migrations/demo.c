/*
** demo.c: main() of build/migrate, the demo binary. It carries the chat
** application's migrations for both databases; the database URL picks
** which set runs (migc_main_sets).
*/
#include "migc.h"

extern const struct migc_set demo_sqlite, demo_postgres;

int
main(int argc, char **argv)
{
	static const struct migc_set *const sets[] = { &demo_sqlite, &demo_postgres };

	return migc_main_sets(argc, argv, sets, 2);
}
