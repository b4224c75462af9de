# tests/cli.sh: the command line without a database: list, show, new,
# usage errors and --help, and the demo binary under valgrind.

t_list_show() {
	expect 0 "0002_b  2 statements, down  c1:" build/migc list --dir "$base" || return 1
	expect 0 '"version":2,"name":"b","file":"0002_b.sql","down":"0002_b.down.sql","statements":2' build/migc list --json --dir "$base" || return 1
	expect 0 "INSERT INTO b VALUES (1);" build/migc show 2 --dir "$base" || return 1
	expect 0 "-- 0002_b.down.sql" build/migc show 2 --dir "$base" || return 1
	expect 2 "no migration has version 7" build/migc show 7 --dir "$base"
}
check "cli: list, list --json and show need no database" t_list_show

t_usage() {
	expect 2 "unknown command 'upp'" build/migrate upp || return 1
	expect 2 "no database: pass --database URL or set DATABASE_URL" env -u DATABASE_URL build/migrate up || return 1
	expect 2 "--to: 'abc' is not a version" build/migrate up --to abc --database "sqlite:$tmp/u.db" || return 1
	expect 2 "up --to: no migration has version 99" build/migrate up --to 99 --database "sqlite:$tmp/u.db" || return 1
	expect 2 "unknown option '--frobnicate'" build/migrate status --frobnicate || return 1
	expect 0 "usage: migrate COMMAND" build/migrate --help || return 1
	expect 0 "usage: migrate up [--to V] [--dry-run]" build/migrate up --help || return 1
	expect 2 "unsupported database URL 'mysql://bob:***@db.example/x'" build/migrate status --database 'mysql://bob:hunter2@db.example/x' || return 1
	grep -q hunter2 "$tmp/expect.out" && return 1
	expect 2 "--dialect is required" build/migc gen migrations
}
check "cli: usage errors exit 2 with a message; --help; a URL password is never printed" t_usage

t_new() {
	d=$tmp/new
	cp -r "$base" "$d"
	expect 0 "created $d/0003_add_index.sql" build/migc new add_index --dir "$d" || return 1
	[ -f "$d/0003_add_index.down.sql" ] || return 1
	expect 2 "invalid migration name 'bad name'" build/migc new 'bad name' --dir "$d" || return 1
	expect 0 "0003_add_index  0 statements" build/migc list --dir "$d"
}
check "cli: migc new creates the next numbered up and down files" t_new

t_valgrind() {
	command -v valgrind >/dev/null || { echo "valgrind is not installed"; return 1; }
	# The demo binary built without sanitizers (valgrind cannot run ASan builds).
	runtime=$(sh tests/sources.sh build/libmigc.a) || return 1
	# shellcheck disable=SC2086
	$CC -std=c99 -O1 -g -Iruntime $SQLITE_CFLAGS $PQ_CFLAGS $PG_DEFINE migrations/demo.c build/demo_sqlite.c build/demo_postgres.c \
		$runtime $SQLITE_LIBS $PQ_LIBS -o "$tmp/migrate-plain" || return 1
	db=$tmp/valgrind.db
	rm -f "$db"
	for cmd in up status "verify --schema" "status --json" "down --to 0" "up --to 3"; do
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			"$tmp/migrate-plain" $cmd --database "sqlite:$db" >/dev/null 2>"$tmp/vg.err"
		st=$?
		if [ $st -ne 0 ]; then
			echo "valgrind: $cmd: exit $st"
			head -n 20 "$tmp/vg.err"
			return 1
		fi
	done
}
check "demo: up, status, verify --schema, down run valgrind-clean (no errors, no leaks)" t_valgrind
