# tests/e2e.sh: end-to-end tests, sourced by tests/run. Each case builds
# real binaries from real migration directories and drives them against
# real SQLite files, inspecting the result with the sqlite3 shell.

# expect STATUS TEXT COMMAND...: COMMAND exits with STATUS and prints TEXT.
expect() {
	want=$1
	text=$2
	shift 2
	"$@" >"$tmp/expect.out" 2>&1
	got=$?
	cat "$tmp/expect.out"
	if [ "$got" -ne "$want" ]; then
		echo "expected exit status $want, got $got from: $*"
		return 1
	fi
	if ! grep -qF -- "$text" "$tmp/expect.out"; then
		echo "expected the output to contain: $text"
		return 1
	fi
}

# embed NAME DIR: build the embedded binary $tmp/NAME from DIR.
embed() {
	build/migc gen --dialect sqlite --main -o "$tmp/$1.c" "$2" &&
	$CC -std=c99 -Iruntime $SQLITE_CFLAGS "$tmp/$1.c" build/libmigc.a $SQLITE_LIBS -o "$tmp/$1"
}

q() {
	sqlite3 "$1" "$2"
}

# dump DB: the schema and content, to compare before and after.
dump() {
	sqlite3 "$1" .dump
}

# mig DIR FILE TEXT: write a migration file (printf %b escapes in TEXT).
mig() {
	mkdir -p "$1"
	printf '%b' "$3" >"$1/$2"
}

# A small set used by several cases.
base=$tmp/base
mig "$base" 0001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\n"
mig "$base" 0001_a.down.sql "DROP TABLE a;\n"
mig "$base" 0002_b.sql "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO b VALUES (1);\n"
mig "$base" 0002_b.down.sql "DROP TABLE b;\n"

t_demo() {
	db=$tmp/demo.db
	build/migrate up --database "sqlite:$db" >"$tmp/o" || return 1
	cat "$tmp/o"
	[ "$(grep -c '^applied 000[1-6]_[a-z_]* ([0-9][0-9]* ms)$' "$tmp/o")" = 6 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	q "$db" "INSERT INTO users (handle, display_name) VALUES ('ann', 'Ann')" || return 1
	expect 0 "nothing to apply" build/migrate up --database "sqlite:$db" || return 1
	expect 0 "ok: 6 applied migrations match this binary, 0 pending" build/migrate verify --database "sqlite:$db"
}
check "demo: build/migrate up applies the six demo migrations, then has nothing to apply" t_demo

t_demo_env() {
	db=$tmp/env.db
	DATABASE_URL="sqlite:$db" build/migrate up --to 2 >/dev/null || return 1
	expect 0 "2 applied, 4 pending" env DATABASE_URL="sqlite:$db" build/migrate status
}
check "cli: DATABASE_URL and up --to" t_demo_env

t_status_json() {
	db=$tmp/json.db
	build/migc up --dir "$base" --database "sqlite:$db" --to 1 >/dev/null || return 1
	build/migc status --dir "$base" --database "sqlite:$db" --json >"$tmp/j" || return 1
	cat "$tmp/j"
	grep -q '^{"database":"sqlite:[^"]*json.db","table":"migc_migrations","applied":1,"pending":1,"migrations":\[{"version":1,"state":"applied","name":"a","file":"0001_a.sql","checksum":"c1:[0-9a-f]\{64\}","applied_at":"[0-9-]*T[0-9:.]*Z","execution_ms":[0-9]*,"statements_done":1,"statements_total":1,"recorded_checksum":"c1:[0-9a-f]\{64\}"},{"version":2,"state":"pending","name":"b","file":"0002_b.sql","checksum":"c1:[0-9a-f]\{64\}"}\]}$' "$tmp/j"
}
check "cli: status --json" t_status_json

t_list_show() {
	expect 0 "0002_b  2 statements, down  c1:" build/migc list --dir "$base" || return 1
	expect 0 '"version":2,"name":"b","file":"0002_b.sql","down":"0002_b.down.sql","statements":2' build/migc list --json --dir "$base" || return 1
	expect 0 "INSERT INTO b VALUES (1);" build/migc show 2 --dir "$base" || return 1
	expect 0 "-- 0002_b.down.sql" build/migc show 2 --dir "$base" || return 1
	expect 2 "no migration has version 7" build/migc show 7 --dir "$base"
}
check "cli: list, list --json and show need no database" t_list_show

t_down_redo() {
	db=$tmp/down.db
	build/migc up --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	expect 0 "reverted 0002_b" build/migc down --dir "$base" --database "sqlite:$db" || return 1
	[ "$(q "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'b'")" = 0 ] || return 1
	[ "$(q "$db" 'SELECT group_concat(version) FROM migc_migrations')" = 1 ] || return 1
	build/migc up --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	expect 0 "applied 0002_b" build/migc redo --dir "$base" --database "sqlite:$db" || return 1
	grep -q "reverted 0002_b" "$tmp/expect.out" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM b')" = 1 ] || return 1
	expect 0 "reverted 0001_a" build/migc down --to 0 --dir "$base" --database "sqlite:$db" || return 1
	[ "$(q "$db" "SELECT group_concat(name) FROM sqlite_schema")" = migc_migrations ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 0 ]
}
check "cli: down (one step), redo, down --to 0 leaves only the tracking table" t_down_redo

t_no_down() {
	d=$tmp/nodown
	cp -r "$base" "$d"
	rm "$d/0001_a.down.sql"
	db=$tmp/nodown.db
	build/migc up --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	dump "$db" >"$tmp/before"
	expect 2 "0001_a.sql has no down migration: nothing was reverted" build/migc down --to 0 --dir "$d" --database "sqlite:$db" || return 1
	dump "$db" | cmp -s - "$tmp/before"
}
check "cli: down --to 0 refuses before running anything when a migration has no down" t_no_down

t_edited() {
	d=$tmp/edited
	cp -r "$base" "$d"
	db=$tmp/edited.db
	embed edited1 "$d" || return 1
	"$tmp/edited1" up --database "sqlite:$db" >/dev/null || return 1
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT, y TEXT);\n' >"$d/0001_a.sql"
	mig "$d" 0003_c.sql "CREATE TABLE c (x);\n"
	embed edited2 "$d" || return 1
	dump "$db" >"$tmp/before"
	expect 3 "0001_a.sql was edited after it was applied (database has c1:" "$tmp/edited2" verify --database "sqlite:$db" || return 1
	expect 3 "0001_a.sql was edited after it was applied" "$tmp/edited2" up --database "sqlite:$db" || return 1
	dump "$db" | cmp -s - "$tmp/before" || return 1
	expect 0 '"state":"edited"' "$tmp/edited2" status --json --database "sqlite:$db" || return 1
	expect 3 '{"ok":false,"applied":2,"pending":1,"problems":[{"version":1,"state":"edited","name":"a"' \
		"$tmp/edited2" verify --json --database "sqlite:$db" || return 1
	expect 0 '{"ok":true,"applied":2,"pending":0,"problems":[]}' "$tmp/edited1" verify --json --database "sqlite:$db"
}
check "verify: an edited applied migration fails verify and up (exit 3), nothing applied" t_edited

t_crlf() {
	d=$tmp/crlf
	cp -r "$base" "$d"
	db=$tmp/crlf.db
	build/migc up --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	printf '\357\273\277CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\r\n' >"$d/0001_a.sql"
	expect 0 "0001_a.sql: only line endings or a byte-order mark changed since it was applied" build/migc verify --dir "$d" --database "sqlite:$db" || return 1
	expect 0 "applied-eol" build/migc status --dir "$d" --database "sqlite:$db"
}
check "verify: a CRLF/BOM-only change is reported as such and is not an edit" t_crlf

t_ahead() {
	d=$tmp/ahead
	cp -r "$base" "$d"
	mig "$d" 0003_c.sql "CREATE TABLE c (x);\n"
	db=$tmp/ahead.db
	build/migc up --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	expect 3 "the database is ahead of this binary: built with 2 migrations (newest 2), database has 3 applied (newest 3)" \
		build/migc up --dir "$base" --database "sqlite:$db" || return 1
	grep -qF "unknown: version 3 (c)" "$tmp/expect.out" || return 1
	expect 0 "c (not in this binary)" build/migc status --dir "$base" --database "sqlite:$db"
}
check "verify: a database ahead of the binary is refused with both counts" t_ahead

t_out_of_order() {
	d=$tmp/ooo
	mkdir -p "$d"
	cp "$base/0001_a.sql" "$d/"
	mig "$d" 0003_c.sql "CREATE TABLE c (x);\n"
	db=$tmp/ooo.db
	build/migc up --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	cp "$base/0002_b.sql" "$d/"
	dump "$db" >"$tmp/before"
	expect 3 "0002_b.sql is pending but older than the newest applied migration (version 3): out of order" \
		build/migc up --dir "$d" --database "sqlite:$db" || return 1
	dump "$db" | cmp -s - "$tmp/before" || return 1
	expect 0 "applied 0002_b" build/migc up --allow-out-of-order --dir "$d" --database "sqlite:$db"
}
check "verify: an out-of-order pending migration is refused unless --allow-out-of-order" t_out_of_order

t_fail_half_way() {
	d=$tmp/half
	cp -r "$base" "$d"
	mig "$d" 0003_half.sql "CREATE TABLE half (x);\nINSERT INTO half VALUES (1);\nINSERT INTO half\n  VALUES (zz);\n"
	db=$tmp/half.db
	expect 1 "0003_half.sql:4:11: no such column: zz (statement 3 of 3)" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	grep -q "applied 0002_b" "$tmp/expect.out" || return 1
	[ "$(q "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'half'")" = 0 ] || return 1
	[ "$(q "$db" 'SELECT group_concat(version) FROM migc_migrations')" = "1,2" ]
}
check "up: a migration failing half way leaves neither its table nor its row; error names file:line:col" t_fail_half_way

t_wrapped_fail() {
	d=$tmp/wrapped
	mig "$d" 0001_w.sql "BEGIN;\nCREATE TABLE w (x);\nINSERT INTO w VALUES (1);\nCOMMIT;\n"
	mig "$d" 0002_w.sql "BEGIN TRANSACTION;\nCREATE TABLE w2 (x);\nINSERT INTO w2 VALUES (1, 2);\nEND;\n"
	db=$tmp/wrapped.db
	expect 1 "0002_w.sql:3:1: table w2 has 1 columns but 2 values were supplied" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM w')" = 1 ] || return 1
	[ "$(q "$db" "SELECT count(*) FROM sqlite_schema WHERE name = 'w2'")" = 0 ] || return 1
	[ "$(q "$db" 'SELECT group_concat(version) FROM migc_migrations')" = 1 ]
}
check "up: a file wrapped in BEGIN/COMMIT runs in migc's transaction and rolls back whole" t_wrapped_fail

t_concurrent() {
	d=$tmp/concdir
	i=1
	while [ $i -le 30 ]; do
		mig "$d" "$(printf '%04d' $i)_t$i.sql" "CREATE TABLE t$i (x);\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t$i SELECT i FROM n;\n"
		i=$((i + 1))
	done
	embed conc "$d" || return 1
	db=$tmp/conc.db
	pids=
	for p in 1 2 3 4; do
		"$tmp/conc" up --database "sqlite:$db" >"$tmp/conc.$p" 2>&1 &
		pids="$pids $!"
	done
	st=0
	for pid in $pids; do
		wait "$pid" || { echo "a process failed"; st=1; }
	done
	for p in 1 2 3 4; do
		if grep -v '^applied\|^nothing to apply' "$tmp/conc.$p"; then
			echo "process $p printed something else"
			st=1
		fi
	done
	[ "$(cat "$tmp"/conc.[1-4] | grep -c '^applied')" = 30 ] || { echo "not 30 applied lines"; return 1; }
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 30 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM t30')" = 2000 ] || return 1
	return $st
}
check "concurrency: four processes running up on one file apply each migration exactly once" t_concurrent

t_fk_off() {
	d=$tmp/fk
	mig "$d" 0001_p.sql "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id));\nINSERT INTO p VALUES (1, 'one');\nINSERT INTO c VALUES (1, 1);\n"
	mig "$d" 0002_rebuild.sql "-- migc:foreign-keys-off\nCREATE TABLE p_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\nINSERT INTO p_new SELECT id, name FROM p;\nDROP TABLE p;\nALTER TABLE p_new RENAME TO p;\n"
	db=$tmp/fk.db
	build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM c JOIN p ON p.id = c.p')" = 1 ] || return 1
	# Without the directive, foreign keys (on by default) make the same rebuild fail.
	d2=$tmp/fk2
	mig "$d2" 0001_p.sql "$(cat "$d/0001_p.sql")"
	grep -v 'migc:' "$d/0002_rebuild.sql" >"$d2/0002_rebuild.sql"
	expect 1 "FOREIGN KEY constraint failed" build/migc up --dir "$d2" --database "sqlite:$tmp/fk2.db" || return 1
	# A rebuild that leaves a dangling reference is caught by foreign_key_check and rolled back.
	d3=$tmp/fk3
	mig "$d3" 0001_p.sql "$(cat "$d/0001_p.sql")"
	mig "$d3" 0002_bad.sql "-- migc:foreign-keys-off\nDELETE FROM p;\n"
	expect 1 "0002_bad.sql: foreign key violation after the migration (PRAGMA foreign_key_check): row 1 of table c references a missing row of p" \
		build/migc up --dir "$d3" --database "sqlite:$tmp/fk3.db" || return 1
	[ "$(q "$tmp/fk3.db" 'SELECT count(*) FROM p')" = 1 ]
}
check "sqlite: -- migc:foreign-keys-off rebuilds a referenced table and runs foreign_key_check" t_fk_off

t_no_transaction() {
	d=$tmp/notx
	mig "$d" 0001_a.sql "CREATE TABLE a (x);\n"
	mig "$d" 0002_vac.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nVACUUM;\nINSERT INTO a VALUES (2);\n"
	db=$tmp/notx.db
	expect 0 "applied 0002_vac" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 2 ] || return 1
	[ "$(q "$db" "SELECT statements_done || '/' || statements_total FROM migc_migrations WHERE version = 2")" = 3/3 ]
}
check "sqlite: a no-transaction migration runs VACUUM and records every statement" t_no_transaction

t_no_transaction_fail() {
	d=$tmp/notxf
	mig "$d" 0001_a.sql "CREATE TABLE a (x);\n"
	mig "$d" 0002_part.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nINSERT INTO nosuch VALUES (2);\nINSERT INTO a VALUES (3);\n"
	db=$tmp/notxf.db
	expect 1 "0002_part.sql:3:1: no such table: nosuch (statement 2 of 3)" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 1 ] || return 1
	[ "$(q "$db" "SELECT statements_done || '/' || statements_total FROM migc_migrations WHERE version = 2")" = 1/3 ] || return 1
	expect 3 "0002_part.sql did not finish: statement 2 of 3 (0002_part.sql:3)" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	expect 0 "[1 of 3 statements]" build/migc status --dir "$d" --database "sqlite:$db"
}
check "sqlite: a failed no-transaction migration is recorded at its statement and blocks up" t_no_transaction_fail

t_baseline() {
	db=$tmp/baseline.db
	q "$db" "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT)" || return 1
	d=$tmp/bl
	cp -r "$base" "$d"
	mig "$d" 0003_c.sql "CREATE TABLE c (x);\n"
	expect 0 "baselined 0001_a" build/migc baseline 1 --dir "$d" --database "sqlite:$db" || return 1
	expect 0 "applied 0003_c" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	grep -q "applied 0001_a" "$tmp/expect.out" && return 1
	[ "$(q "$db" 'SELECT group_concat(version) FROM migc_migrations')" = "1,2,3" ] || return 1
	expect 2 "baseline needs a database with no applied migrations; this one has 3" build/migc baseline 2 --dir "$d" --database "sqlite:$db"
}
check "cli: baseline records without running, then up applies the rest" t_baseline

t_dry_run() {
	db=$tmp/dry.db
	build/migc up --to 1 --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	dump "$db" >"$tmp/before"
	expect 0 "-- 0002_b.sql" build/migc up --dry-run --dir "$base" --database "sqlite:$db" || return 1
	grep -qx "INSERT INTO b VALUES (1);" "$tmp/expect.out" || return 1
	grep -q "0001_a" "$tmp/expect.out" && return 1
	dump "$db" | cmp -s - "$tmp/before" || return 1
	expect 1 "cannot open sqlite database $tmp/missing.db" build/migc up --dry-run --dir "$base" --database "sqlite:$tmp/missing.db" || return 1
	[ ! -e "$tmp/missing.db" ]
}
check "cli: up --dry-run prints the pending SQL and changes nothing" t_dry_run

t_table() {
	db=$tmp/table.db
	build/migc up --table schema_history --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	[ "$(q "$db" 'SELECT count(*) FROM schema_history')" = 2 ] || return 1
	db=$tmp/table2.db
	build/migc up --table 'x"; DROP TABLE a; --' --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	[ "$(q "$db" 'SELECT count(*) FROM "x""; DROP TABLE a; --"')" = 2 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 0 ] || return 1
	long=$(printf '%064d' 0)
	expect 2 "invalid tracking table (--table) name: it must be 1 to 63 bytes without control characters" \
		build/migc up --table "$long" --dir "$base" --database "sqlite:$db" || return 1
	expect 2 "invalid tracking table (--table) name" build/migc up --table '' --dir "$base" --database "sqlite:$db"
}
check "cli: --table names the tracking table, quoted (quotes and semicolons are data); 64 bytes are refused" t_table

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

t_escaping_roundtrip() {
	db=$tmp/esc.db
	build/migc gen --dialect sqlite --main -o "$tmp/esc.c" tests/gen/escaping || return 1
	$CC -std=c99 -Iruntime "$tmp/esc.c" build/libmigc.a $SQLITE_LIBS -o "$tmp/esc" || return 1
	"$tmp/esc" up --database "sqlite:$db" >/dev/null || return 1
	got=$(q "$db" 'SELECT hex(a) FROM e ORDER BY id' | tr '\n' ' ')
	want=$(printf '%s' "it's \"x\" \\" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	case $got in
	"$want "*) ;;
	*) echo "got $got, want $want first"; return 1 ;;
	esac
	# The last row holds bytes 0x01 0x7f 0xff and UTF-8: each must survive.
	[ "$(q "$db" 'SELECT hex(a) FROM e WHERE id = 5')" = "636166C3A920E282AC20017FFF" ]
}
check "gen: every byte of the SQL survives the C string literals (quotes, trigraphs, non-ASCII)" t_escaping_roundtrip

t_deterministic() {
	d1=$tmp/det1
	d2=$tmp/det2
	mkdir -p "$d1" "$d2"
	for f in migrations/sqlite/*.sql; do cp "$f" "$d1/"; done
	for f in $(ls migrations/sqlite/*.sql | sort -r); do cp "$f" "$d2/"; done
	build/migc gen --dialect sqlite -o "$tmp/det1.c" "$d1" || return 1
	(cd "$d2" && LC_ALL=C.UTF-8 TZ=Asia/Tokyo "$OLDPWD/build/migc" gen --dialect sqlite -o "$tmp/det2.c" "$(pwd)") || return 1
	cmp "$tmp/det1.c" "$tmp/det2.c" || return 1
	build/migc gen --dialect sqlite -o "$tmp/det3.c" migrations/sqlite/ || return 1
	cmp "$tmp/det1.c" "$tmp/det3.c"
}
check "gen: byte-identical output whatever the directory order, path, locale or time zone" t_deterministic

t_depfile() {
	build/migc gen --dialect sqlite -o "$tmp/dep.c" --depfile "$tmp/dep.d" "$base" || return 1
	cat "$tmp/dep.d"
	head -n 1 "$tmp/dep.d" | grep -qF "$tmp/dep.c:" || return 1
	for f in 0001_a.sql 0001_a.down.sql 0002_b.sql 0002_b.down.sql; do
		grep -qF "$base/$f" "$tmp/dep.d" || return 1
	done
	# Writing the same output again leaves the file alone (ninja's restat).
	touch -d '2000-01-01' "$tmp/dep.c"
	build/migc gen --dialect sqlite -o "$tmp/dep.c" --depfile "$tmp/dep.d" "$base" || return 1
	[ "$(date -r "$tmp/dep.c" +%Y)" = 2000 ]
}
check "gen: --depfile lists every file read; unchanged output is not rewritten" t_depfile

t_new() {
	d=$tmp/new
	cp -r "$base" "$d"
	expect 0 "created $d/0003_add_index.sql" build/migc new add_index --dir "$d" || return 1
	[ -f "$d/0003_add_index.down.sql" ] || return 1
	expect 2 "invalid migration name 'bad name'" build/migc new 'bad name' --dir "$d" || return 1
	expect 0 "0003_add_index  0 statements" build/migc list --dir "$d"
}
check "cli: migc new creates the next numbered up and down files" t_new

t_api() {
	build/migc gen --dialect sqlite --name app_migrations -o "$tmp/api_set.c" tests/api &&
	$CC -std=c99 -Wall -Wextra -Werror -Iruntime $SQLITE_CFLAGS tests/unit/api_test.c "$tmp/api_set.c" build/libmigc.a $SQLITE_LIBS -o "$tmp/api_test" 2>&1 || return 1
}
if check "api: api_test builds against libmigc.a" t_api; then
	unit "$tmp/api_test"
fi

t_readme_example() {
	sed -n '/^<!-- example:begin -->$/,/^<!-- example:end -->$/p' README.md | sed '1,2d;$d' | sed '$d' >"$tmp/example.c"
	[ -s "$tmp/example.c" ] || { echo "no example in README.md"; return 1; }
	build/migc gen --dialect sqlite --name app_migrations -o "$tmp/example_set.c" migrations/sqlite &&
	$CC -std=c99 -Wall -Wextra -Werror -Iruntime $SQLITE_CFLAGS "$tmp/example.c" "$tmp/example_set.c" build/libmigc.a $SQLITE_LIBS -o "$tmp/example" &&
	(cd "$tmp" && ./example) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ]
}
check "readme: the embedding example compiles with -Werror and migrates app.db" t_readme_example

t_ninja_regen() {
	src=$tmp/regen
	mkdir -p "$src"
	cp -r configure build.ninja gen runtime migrations tests "$src/" || return 1
	(cd "$src" && ./configure >/dev/null && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 6 ] || return 1
	printf 'CREATE TABLE extra (x);\n' >"$src/migrations/sqlite/0007_extra.sql"
	(cd "$src" && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 7 ] || return 1
	printf 'CREATE TABLE extra (x, y);\n' >"$src/migrations/sqlite/0007_extra.sql"
	(cd "$src" && ninja build/migrate >/dev/null) || return 1
	"$src/build/migrate" show 7 | grep -q 'x, y' || return 1
	rm "$src/migrations/sqlite/0007_extra.sql"
	(cd "$src" && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 6 ]
}
check "build: adding, editing or removing a migration rebuilds build/migrate" t_ninja_regen

t_configure_install() {
	src=$tmp/regen
	expect 1 "re2c not found: apt-get install re2c" sh -c "cd '$src' && RE2C=no-such-re2c ./configure" || return 1
	expect 1 "sqlite3 not found: apt-get install libsqlite3-dev" \
		sh -c "cd '$src' && PKG_CONFIG_LIBDIR=/nonexistent ./configure" || return 1
	mkdir -p "$tmp/pc"
	cp "$(pkg-config --variable=pcfiledir sqlite3)/sqlite3.pc" "$tmp/pc/" || return 1
	expect 1 "libpq not found: apt-get install libpq-dev (or ./configure --without-postgres)" \
		sh -c "cd '$src' && PKG_CONFIG_LIBDIR=$tmp/pc ./configure" || return 1
	expect 0 "wrote build/config.ninja" sh -c "cd '$src' && PKG_CONFIG_LIBDIR=$tmp/pc ./configure --without-postgres" || return 1
	expect 1 "unknown option '--frob'" sh -c "cd '$src' && ./configure --frob" || return 1
	(cd "$src" && ./configure --prefix="$tmp/prefix" >/dev/null && ninja install >/dev/null) || return 1
	(cd "$src" && DESTDIR=$tmp/stage ninja install >/dev/null) || return 1
	for f in bin/migc lib/libmigc.a include/migc.h lib/pkgconfig/migc.pc; do
		[ -f "$tmp/prefix/$f" ] && [ -f "$tmp/stage$tmp/prefix/$f" ] || { echo "missing $f"; return 1; }
	done
	flags=$(PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig pkg-config --cflags --libs migc) || return 1
	"$tmp/prefix/bin/migc" gen --dialect sqlite --name app_migrations -o "$tmp/inst_set.c" migrations/sqlite &&
	$CC -std=c99 "$tmp/example.c" "$tmp/inst_set.c" $flags -o "$tmp/inst_example" || return 1
	(cd "$tmp" && rm -f app.db && ./inst_example >/dev/null) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ]
}
check "build: configure names missing packages; ninja install (prefix, DESTDIR) gives a usable migc.pc" t_configure_install

t_lock_timeout() {
	db=$tmp/locked.db
	build/migc up --to 1 --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	# Another connection holds the write lock for three seconds.
	(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 3; printf 'COMMIT;\n') | sqlite3 "$db" >/dev/null &
	holder=$!
	sleep 1
	expect 1 "the database stayed locked by another connection for the whole lock timeout (1 s)" \
		build/migc up --lock-timeout 1 --dir "$base" --database "sqlite:$db"
	st=$?
	wait "$holder"
	[ $st -eq 0 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 1 ] || return 1
	expect 0 "applied 0002_b" build/migc up --lock-timeout 5 --dir "$base" --database "sqlite:$db"
}
check "concurrency: --lock-timeout bounds the wait for another writer (exit 1), then up succeeds" t_lock_timeout
