# tests/unit.sh: the C test programs of tests/unit/, once per backend
# ($B), each printing its own [PASS]/[FAIL] lines. sqlite: SHA-256, the
# statement splitter and URLs (built by ninja), and the embedding API
# (api_test, built here with the set in tests/unit/api/). postgres: the API
# on the application's own connection (pg_api_test), the state that
# connection gets back (session_test) and COPY (pg_copy_test), each built
# here against build/libmigc.a.

if [ "$B" = sqlite ]; then

unit build/tests/sha256_test
unit build/tests/sha256_plain_test
unit build/tests/scan_test
unit build/tests/url_test

t_api() {
	build/migc gen --dialect sqlite --name app_migrations -o "$tmp/api_set.c" tests/unit/api &&
	cbuild "$tmp/api_test" -Wall -Wextra -Werror -Wl,--wrap=malloc,--wrap=calloc tests/unit/api_test.c tests/unit/testlib.c "$tmp/api_set.c" 2>&1 || return 1
}
if need "api: api_test builds against libmigc.a" t_api; then
	unit "$tmp/api_test" "$tmp"
fi

# One version everywhere: the header's MIGC_VERSION (api_test holds
# migc_libversion() to it) is what both .pc files say.
t_version() {
	h=$(sed -n 's/^#define MIGC_VERSION  *"\(.*\)"$/\1/p' runtime/migc.h)
	pc=$(sed -n 's/^Version: //p' build/migc.pc)
	pcs=$(sed -n 's/^Version: //p' build/migc-sqlite.pc)
	[ -n "$h" ] && [ "$h" = "$pc" ] && [ "$h" = "$pcs" ] || { echo "migc.h says '$h', migc.pc '$pc', migc-sqlite.pc '$pcs'"; return 1; }
}
check "api: MIGC_VERSION is the Version of migc.pc and migc-sqlite.pc" t_version

else

t_pg_api() {
	build/migc gen --dialect postgres --name pg_migrations -o "$tmp/pg_set.c" tests/unit/api-pg &&
	$CC $LDFLAGS -std=c99 -Wall -Wextra -Werror -Iruntime $PQ_CFLAGS tests/unit/pg_api_test.c tests/unit/testlib.c "$tmp/pg_set.c" build/libmigc.a \
		$SQLITE_LIBS $PQ_LIBS -pthread -o "$tmp/pg_api_test" 2>&1
}
if need "[postgres] pg_api_test builds against libmigc.a" t_pg_api; then
	unit "$tmp/pg_api_test" "$(pgnewdb pgapi)" "$(pgnewdb pgapitx)"
fi

# The application's own connections get back exactly the state they had.
t_session_api() {
	build/migc gen --dialect sqlite --name session_sqlite -o "$tmp/session_sqlite.c" tests/unit/session-sqlite &&
	build/migc gen --dialect postgres --name session_pg -o "$tmp/session_pg.c" tests/unit/session-pg &&
	cbuild "$tmp/session_test" -Wall -Wextra -Werror $PQ_CFLAGS $PG_DEFINE tests/unit/session_test.c tests/unit/testlib.c \
		"$tmp/session_sqlite.c" "$tmp/session_pg.c" 2>&1
}
if need "[postgres] session_test builds against libmigc.a" t_session_api; then
	unit "$tmp/session_test" "$(pgnewdb sessionapi)" "$(pgnewdb sessionapi2)"
fi

# A COPY that wants the client's data stream reaching the runtime in a set
# gen did not check (one written by hand, or by an older gen): each case
# must end, with an error naming file:line, and leave the connection usable.
t_pg_copy() {
	$CC $LDFLAGS -std=c99 -Wall -Wextra -Werror -Iruntime $PQ_CFLAGS tests/unit/pg_copy_test.c tests/unit/testlib.c build/libmigc.a \
		$SQLITE_LIBS $PQ_LIBS -o "$tmp/pg_copy_test" 2>&1
}
if need "[postgres] pg_copy_test builds against libmigc.a" t_pg_copy; then
	copydb=$(pgnewdb pgcopy)
	for c in out-tx out-big in-tx out-notx in-notx; do
		unit timeout 60 "$tmp/pg_copy_test" "$copydb" "$c"
	done
fi

fi
