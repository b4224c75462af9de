# tests/e2e.sh: end-to-end tests, sourced by tests/run once per backend
# ($B: sqlite, then postgres). Each case builds real binaries from real
# migration directories and drives them against a real database.

mkdir -p "$tmp/$B"

# endsessions DB: on PostgreSQL, end every other session on DB and wait
# until they are gone: a killed migrator's server session would otherwise
# run its statement on, holding the migration lock.
endsessions() {
	[ "$B" = postgres ] || return 0
	q "$1" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null || return 1
	n=0
	until [ "$(q "$1" "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = 0 ]; do
		n=$((n + 1))
		[ $n -lt 500 ] || { echo "the killed migrator's session never ended"; return 1; }
		sleep 0.01
	done
}

# killat DB PID SQL PATTERN WHAT: SIGKILL process PID once SQL on DB prints
# a line matching PATTERN (WHAT has happened), require that the kill ended
# it (it had not finished), and end its server session.
killat() {
	n=0
	until q "$1" "$3" 2>/dev/null | grep -q "$4"; do
		n=$((n + 1))
		[ $n -lt 1000 ] || { echo "$5: never happened"; kill -9 "$2"; return 1; }
		sleep 0.01
	done
	kill -9 "$2"
	wait "$2" 2>/dev/null
	st=$?
	[ $st = 137 ] || { echo "it exited $st before it was killed"; return 1; }
	endsessions "$1"
}

t_demo() {
	db=$(newdb demo)
	build/migrate up --database "$db" >"$tmp/o" || return 1
	cat "$tmp/o"
	[ "$(grep -c '^applied 000[1-6]_[a-z_]* ([0-9][0-9]* ms)$' "$tmp/o")" = 6 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	q "$db" "INSERT INTO users (handle, display_name) VALUES ('ann', 'Ann')" || return 1
	expect 0 "nothing to apply" build/migrate up --database "$db" || return 1
	expect 0 "ok: 6 applied migrations match this binary, 0 pending" build/migrate verify --database "$db"
}
check "[$B] demo: build/migrate up applies the six demo migrations, then has nothing to apply" t_demo

t_demo_env() {
	db=$(newdb env)
	DATABASE_URL="$db" build/migrate up --to 2 >/dev/null || return 1
	expect 0 "2 applied, 4 pending" env DATABASE_URL="$db" build/migrate status
}
check "[$B] cli: DATABASE_URL and up --to" t_demo_env

t_status_json() {
	db=$(newdb json)
	build/migc up --dir "$base" --database "$db" --to 1 >/dev/null || return 1
	build/migc status --dir "$base" --database "$db" --json >"$tmp/j" || return 1
	cat "$tmp/j"
	grep -q '^{"database":"[^"]*json[^"]*","table":"migc_migrations",'"$(pick '' '"schema":"public",')"'"applied":1,"pending":1,"migrations":\[{"version":1,"state":"applied","name":"a","file":"0001_a.sql","checksum":"c1:[0-9a-f]\{64\}","applied_at":"[0-9-]*T[0-9:.]*Z","execution_ms":[0-9]*,"statements_done":1,"statements_total":1,"recorded_checksum":"c1:[0-9a-f]\{64\}"},{"version":2,"state":"pending","name":"b","file":"0002_b.sql","checksum":"c1:[0-9a-f]\{64\}"}\]}$' "$tmp/j"
}
check "[$B] cli: status --json" t_status_json

t_down_redo() {
	db=$(newdb down)
	build/migc up --dir "$base" --database "$db" >/dev/null || return 1
	expect 0 "reverted 0002_b" build/migc down --dir "$base" --database "$db" || return 1
	[ "$(tables "$db")" = a,migc_migrations ] || return 1
	[ "$(versions "$db")" = 1 ] || return 1
	build/migc up --dir "$base" --database "$db" >/dev/null || return 1
	expect 0 "applied 0002_b" build/migc redo --dir "$base" --database "$db" || return 1
	grep -q "reverted 0002_b" "$tmp/expect.out" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM b')" = 1 ] || return 1
	expect 0 "reverted 0001_a" build/migc down --to 0 --dir "$base" --database "$db" || return 1
	[ "$(tables "$db")" = migc_migrations ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 0 ]
}
check "[$B] cli: down (one step), redo, down --to 0 leaves only the tracking table" t_down_redo

# down with nothing to revert says so (exit 0), as up does.
t_down_nothing() {
	db=$(newdb downnothing)
	expect 0 "nothing to revert: no migration is applied" build/migc down --dir "$base" --database "$db" || return 1
	build/migc up --to 1 --dir "$base" --database "$db" >/dev/null || return 1
	expect 0 "nothing to revert: no migration newer than 1 is applied" \
		build/migc down --to 1 --dir "$base" --database "$db" || return 1
	[ "$(versions "$db")" = 1 ] || return 1
	expect 0 "reverted 0001_a" build/migc down --dir "$base" --database "$db"
}
check "[$B] cli: down with nothing applied (or nothing newer than --to) says so" t_down_nothing

t_no_down() {
	d=$tmp/$B/nodown
	cp -r "$base" "$d"
	rm "$d/0001_a.down.sql"
	db=$(newdb nodown)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	dump "$db" >"$tmp/before"
	expect 2 "0001_a.sql has no down migration: nothing was reverted" build/migc down --to 0 --dir "$d" --database "$db" || return 1
	dump "$db" | cmp -s - "$tmp/before"
}
check "[$B] cli: down --to 0 refuses before running anything when a migration has no down" t_no_down

# -- migc:irreversible REASON, in the up file or as the whole down file:
# down and redo refuse before running anything, naming the reason.
t_irreversible() {
	d=$tmp/$B/irreversible
	rm -rf "$d"
	cp -r "$base" "$d"
	mig "$d" 0003_c.sql "-- migc:irreversible c keeps the payments history\nCREATE TABLE c (id INTEGER PRIMARY KEY);\n"
	db=$(newdb irreversible3)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	dump "$db" >"$tmp/before"
	expect 2 "0003_c.sql is irreversible (-- migc:irreversible): c keeps the payments history: nothing was reverted" \
		build/migc down --dir "$d" --database "$db" || return 1
	dump "$db" | cmp -s - "$tmp/before" || { echo "the refused down changed the database"; return 1; }
	mig "$d" 0004_d.sql "CREATE TABLE d (id INTEGER PRIMARY KEY);\n"
	mig "$d" 0004_d.down.sql "-- migc:irreversible d is read by the billing job\n"
	db=$(newdb irreversible4)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	dump "$db" >"$tmp/before"
	expect 2 "0004_d.sql is irreversible (-- migc:irreversible): d is read by the billing job: nothing was reverted" \
		build/migc down --to 0 --dir "$d" --database "$db" || return 1
	expect 2 "0004_d.sql is irreversible" build/migc redo --dir "$d" --database "$db" || return 1
	dump "$db" | cmp -s - "$tmp/before" || { echo "the refused down changed the database"; return 1; }
	expect 0 "0003_c  1 statement, irreversible" build/migc list --dialect "$B" --dir "$d" || return 1
	expect 0 '"irreversible":"d is read by the billing job"}' build/migc list --json --dialect "$B" --dir "$d"
}
check "[$B] cli: down and redo refuse an irreversible migration (marked in its up file or its down file), naming the reason" t_irreversible

t_edited() {
	d=$tmp/$B/edited
	cp -r "$base" "$d"
	db=$(newdb edited)
	embed edited1 "$d" || return 1
	"$tmp/edited1" up --database "$db" >/dev/null || return 1
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT, y TEXT);\n' >"$d/0001_a.sql"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	embed edited2 "$d" || return 1
	dump "$db" >"$tmp/before"
	expect 3 "0001_a.sql was edited after it was applied (database has c1:" "$tmp/edited2" verify --database "$db" || return 1
	expect 3 "0001_a.sql was edited after it was applied" "$tmp/edited2" up --database "$db" || return 1
	dump "$db" | cmp -s - "$tmp/before" || return 1
	expect 0 '"state":"edited"' "$tmp/edited2" status --json --database "$db" || return 1
	expect 3 '{"ok":false,"applied":2,"pending":1,"problems":[{"version":1,"state":"edited","name":"a"' \
		"$tmp/edited2" verify --json --database "$db" || return 1
	expect 0 '{"ok":true,"applied":2,"pending":0,"problems":[]}' "$tmp/edited1" verify --json --database "$db"
}
check "[$B] verify: an edited applied migration fails verify and up (exit 3), nothing applied" t_edited

t_crlf() {
	d=$tmp/$B/crlf
	cp -r "$base" "$d"
	db=$(newdb crlf)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	printf '\357\273\277CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\r\n' >"$d/0001_a.sql"
	expect 0 "0001_a.sql: only line endings or a byte-order mark changed since it was applied" build/migc verify --dir "$d" --database "$db" || return 1
	expect 0 "applied-eol" build/migc status --dir "$d" --database "$db"
}
check "[$B] verify: a CRLF/BOM-only change is reported as such and is not an edit" t_crlf

# A checkout that changed only line endings is up to date: the start-up
# check answers it without the lock, so it neither waits for a migrator
# that holds it nor fails when that one takes long.
t_crlf_noop() {
	d=$tmp/$B/crlfnoop
	cp -r "$base" "$d"
	db=$(newdb crlfnoop)
	build/migc up --to 1 --dir "$d" --database "$db" >/dev/null || return 1
	printf '\357\273\277CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\r\n' >"$d/0001_a.sql"
	if [ "$B" = postgres ]; then
		mig "$d" 0002_b.sql "SELECT pg_sleep(4);\n"
		build/migc up --dir "$d" --database "$db" >/dev/null 2>&1 &
		holder=$!
		waitfor "the other migrator's lock" qis "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" 1 ||
			return 1
	else
		rm -f "$tmp/holder.out"
		(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 4; printf 'COMMIT;\n') | sqlite3 "${db#sqlite:}" >"$tmp/holder.out" &
		holder=$!
		waitfor "the other connection's write lock" test -s "$tmp/holder.out" || return 1
	fi
	expect 0 "nothing to apply" build/migc up --to 1 --lock-timeout 1 --dir "$d" --database "$db"
	st=$?
	wait "$holder" || st=1
	return $st
}
check "[$B] up: a set whose applied files changed only their line endings is up to date without the lock" t_crlf_noop

# Versions of 18 and 19 digits (up to the largest 64-bit one) read back
# from the table as they were written: the start-up check finds them applied.
t_bigversion() {
	d=$tmp/$B/bigversion
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$d" 922337203685477580_b.sql "CREATE TABLE b (x INTEGER);\n"
	mig "$d" 9223372036854775807_c.sql "CREATE TABLE c (x INTEGER);\n"
	db=$(newdb bigversion)
	embed bigversion "$d" || return 1
	expect 0 "applied 9223372036854775807_c" "$tmp/bigversion" up --database "$db" || return 1
	expect 0 "nothing to apply: the database is up to date" "$tmp/bigversion" up --database "$db" || return 1
	expect 0 "3 applied, 0 pending" "$tmp/bigversion" status --database "$db" || return 1
	[ "$(q "$db" 'SELECT max(version) FROM migc_migrations')" = 9223372036854775807 ]
}
check "[$B] up: versions of 18 and 19 digits, up to the largest, read back as written" t_bigversion

# A directory of another tool's files, read as they are (--layout $1):
# each migration's up and down sections (in one file for goose, dbmate and
# sql-migrate, in a .up.sql and a .down.sql for golang-migrate and sqlx),
# goose's and sql-migrate's blocks sent as one statement (other statements
# split), the tool's no-transaction option; the checksum covers the up
# section only. layoutmig VERSION NAME NOTX UP DOWN writes one migration.
layoutmig() {
	case $l in
	golang-migrate | sqlx)
		mig "$d" "$1_$2.up.sql" "$3$4"
		mig "$d" "$1_$2.down.sql" "$5"
		;;
	flyway | flyway-dotted)
		mig "$d" "V$1__$2.sql" "$3$4"
		mig "$d" "U$1__undo_$2.sql" "$5"
		;;
	*) mig "$d" "$1_$2.sql" "$pre$up$3\n$4$down\n$5" ;;
	esac
}

t_layout() {
	l=$1 d=$tmp/$B/layout-$1 pre= up= down= begin= end= v1=1 v2=2 v3=3 n3=
	case $l in
	goose) up="-- +goose Up" down="-- +goose Down" notx="" begin="-- +goose StatementBegin\n"
		end="-- +goose StatementEnd\n" v1=00001 v2=00002 v3=00003 refused="is a goose migration" ;;
	dbmate) up="-- migrate:up" down="-- migrate:down" notx=" transaction:false"
		v1=20240101000001 v2=20240101000002 v3=20240101000003 refused="is a dbmate migration" ;;
	sql-migrate) up="-- +migrate Up" down="-- +migrate Down" notx=" notransaction"
		begin="-- +migrate StatementBegin\n" end="-- +migrate StatementEnd\n" refused="is a sql-migrate migration" ;;
	golang-migrate) notx="-- migc:no-transaction\n" refused="is a golang-migrate (or sqlx) up migration" ;;
	sqlx) notx="-- no-transaction\n" refused="is a golang-migrate (or sqlx) up migration" ;;
	flyway) notx="-- migc:no-transaction\n" refused="is a Flyway or refinery versioned migration" ;;
	flyway-dotted) notx="-- migc:no-transaction\n" refused="is a Flyway or refinery versioned migration"
		v2=1.1 v3=1_10 n3=1010000 ;;
	esac
	n3=${n3:-$v3}   # migration $v3's migc version
	# The name a run prints for migration $1 named $2.
	stem() { case $l in flyway*) echo "V$1__$2" ;; *) echo "$1_$2" ;; esac; }
	seed="INSERT INTO users (id, name) VALUES (1, 'a');\nINSERT INTO users (id, name) VALUES (2, 'b');\n"
	layoutmig $v1 users "" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n\n" "DROP TABLE users;\n"
	[ "$l" != goose ] || pre="-- +goose NO TRANSACTION\n"
	layoutmig $v2 notx "$notx" "VACUUM;\n" "SELECT 1;\n"
	pre=
	layoutmig $v3 seed "" "$begin$seed$end" "DELETE FROM users;\n"
	db=$(newdb "layout-$l")
	expect 2 "$refused" build/migc up --dir "$d" --database "$db" || return 1
	[ "$(tables "$db")" = "" ] || { echo "a refused directory changed the database"; return 1; }
	expect 0 "applied $(stem $v3 seed)" build/migc up --layout "$l" --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM users')" = 2 ] || return 1
	[ "$(q "$db" "SELECT statements_total FROM migc_migrations WHERE version = $n3")" = "$([ -n "$begin" ] && echo 1 || echo 2)" ] ||
		{ echo "the block is not one statement, or the statements are not split"; return 1; }
	expect 0 "reverted $(stem $v1 users)" build/migc down --to 0 --layout "$l" --dir "$d" --database "$db" || return 1
	[ "$(versions "$db")" = "" ] || return 1
	[ "$(tables "$db")" = "migc_migrations" ] || { echo "down left tables behind: $(tables "$db")"; return 1; }
	expect 0 "applied $(stem $v3 seed)" build/migc up --layout "$l" --dir "$d" --database "$db" || return 1
	embed "layout-$l" "$d" --layout "$l" || return 1
	expect 0 "ok:" "$tmp/layout-$l" verify --database "$db" || return 1
	expect 0 "wrote" build/migc hash --layout "$l" "$d" || return 1
	expect 0 "ok: 3 migrations match" build/migc check --dialect $B "$d" --layout "$l" || return 1
	# The down section is not checksummed; the up section is.
	layoutmig $v3 seed "" "$begin$seed$end" "DELETE FROM users WHERE id IN (1, 2);\n"
	expect 0 "ok: 3 migrations match" build/migc check --dialect $B --layout "$l" "$d" || return 1
	expect 0 "ok:" build/migc verify --layout "$l" --dir "$d" --database "$db" || return 1
	layoutmig $v1 users "" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);\n\n" "DROP TABLE users;\n"
	expect 3 "$(stem $v1 users).$([ "$l" = golang-migrate ] || [ "$l" = sqlx ] && echo up.)sql was edited after it was applied" build/migc verify --layout "$l" --dir "$d" --database "$db" || return 1
	expect 3 "$(stem $v1 users)." build/migc check --dialect $B --layout "$l" "$d"
}
check "[$B] goose layout: up, down and up again, a block as one statement, NO TRANSACTION, the up section checksummed" t_layout goose
check "[$B] dbmate layout: up, down and up again, each section split into statements, transaction:false, the up section checksummed" t_layout dbmate
check "[$B] sql-migrate layout: up, down and up again, a block as one statement, notransaction, the up section checksummed" t_layout sql-migrate
check "[$B] golang-migrate layout: up, down and up again, .up.sql and .down.sql, the up file checksummed" t_layout golang-migrate
check "[$B] sqlx layout: up, down and up again, .up.sql and .down.sql, -- no-transaction, the up file checksummed" t_layout sqlx
check "[$B] flyway layout: up, down and up again, V and U files, the V file checksummed" t_layout flyway
check "[$B] flyway-dotted layout: up, down and up again, dotted versions (1, 1.1, 1_10) in Flyway's order, V and U files" t_layout flyway-dotted

# refinery's layout has no down migrations: V and U (unversioned) files,
# both numbered, -- refinery:noTransaction.
t_refinery() {
	d=$tmp/$B/layout-refinery
	mig "$d" V1__users.sql "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
	mig "$d" U2__notx.sql "-- refinery:noTransaction\nVACUUM;\n"
	mig "$d" V3__seed.sql "INSERT INTO users (id, name) VALUES (1, 'a');\n"
	db=$(newdb layout-refinery)
	expect 2 "is a Flyway or refinery versioned migration" build/migc up --dir "$d" --database "$db" || return 1
	expect 0 "applied V3__seed" build/migc up --layout refinery --dir "$d" --database "$db" || return 1
	expect 2 "V3__seed.sql has no down migration" build/migc down --layout refinery --dir "$d" --database "$db" || return 1
	embed layout-refinery "$d" --layout refinery || return 1
	expect 0 "ok: 3 applied" "$tmp/layout-refinery" verify --database "$db" || return 1
	mig "$d" V3__seed.sql "INSERT INTO users (id, name) VALUES (1, 'b');\n"
	expect 3 "V3__seed.sql was edited after it was applied" build/migc verify --layout refinery --dir "$d" --database "$db"
}
check "[$B] refinery layout: V and U files both numbered, -- refinery:noTransaction, no down migrations, the file checksummed" t_refinery

t_ahead() {
	d=$tmp/$B/ahead
	cp -r "$base" "$d"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	db=$(newdb ahead)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	expect 3 "the database is ahead of this binary: built with 2 migrations (newest 2), database has 3 applied (newest 3)" \
		build/migc up --dir "$base" --database "$db" || return 1
	grep -qF "unknown: version 3 (c)" "$tmp/expect.out" || return 1
	expect 0 "c (not in this binary)" build/migc status --dir "$base" --database "$db"
}
check "[$B] verify: a database ahead of the binary is refused with both counts" t_ahead

t_out_of_order() {
	d=$tmp/$B/ooo
	mkdir -p "$d"
	cp "$base/0001_a.sql" "$d/"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	db=$(newdb ooo)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	cp "$base/0002_b.sql" "$d/"
	dump "$db" >"$tmp/before"
	expect 3 "0002_b.sql is pending but older than the newest applied migration (version 3): out of order" \
		build/migc up --dir "$d" --database "$db" || return 1
	dump "$db" | cmp -s - "$tmp/before" || return 1
	expect 0 "applied 0002_b" build/migc up --allow-out-of-order --dir "$d" --database "$db"
}
check "[$B] verify: an out-of-order pending migration is refused unless --allow-out-of-order" t_out_of_order

t_fail_half_way() {
	d=$tmp/$B/half
	cp -r "$base" "$d"
	mig "$d" 0003_half.sql "CREATE TABLE half (x INTEGER);\nINSERT INTO half VALUES (1);\nINSERT INTO half\n  VALUES (zz);\n"
	db=$(newdb half)
	expect 1 "$(pick "0003_half.sql:4:11: no such column: zz (statement 3 of 3)" \
		'0003_half.sql:4:11: ERROR: column "zz" does not exist (SQLSTATE 42703, statement 3 of 3)')" build/migc up --dir "$d" --database "$db" || return 1
	grep -q "applied 0002_b" "$tmp/expect.out" || return 1
	[ "$(tables "$db")" = a,b,migc_migrations ] || return 1
	[ "$(versions "$db")" = "1,2" ]
}
check "[$B] up: a migration failing half way leaves neither its table nor its row; error names file:line:col" t_fail_half_way

t_wrapped_fail() {
	d=$tmp/$B/wrapped
	mig "$d" 0001_w.sql "BEGIN;\nCREATE TABLE w (x INTEGER);\nINSERT INTO w VALUES (1);\nCOMMIT;\n"
	mig "$d" 0002_w.sql "BEGIN TRANSACTION;\nCREATE TABLE w2 (x INTEGER);\nINSERT INTO w2 VALUES (1, 2);\nEND;\n"
	db=$(newdb wrapped)
	expect 1 "$(pick "0002_w.sql:3:1: table w2 has 1 columns but 2 values were supplied" \
		"0002_w.sql:3:27: ERROR: INSERT has more expressions than target columns (SQLSTATE 42601, statement 2 of 2)")" build/migc up --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM w')" = 1 ] || return 1
	[ "$(tables "$db")" = migc_migrations,w ] || return 1
	[ "$(versions "$db")" = 1 ]
}
check "[$B] up: a file wrapped in BEGIN/COMMIT runs in migc's transaction and rolls back whole" t_wrapped_fail

t_foreign_files() {
	d=$tmp/$B/foreign
	mig "$d" 00001_users.sql "-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE users;\n"
	mig "$d" 20240131120000_posts.sql "-- migrate:up\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE posts;\n"
	db=$(newdb foreign)
	q "$db" "CREATE TABLE keep (x INTEGER)" || return 1
	dump "$db" >"$tmp/before"
	expect 2 "00001_users.sql:1:1: error: is a goose migration (-- +goose Up at line 1): migc runs the whole file as one up migration; split it into 00001_users.sql (the Up section) and 00001_users.down.sql (the Down section, from line 4)" \
		build/migc up --dir "$d" --database "$db" || return 1
	grep -qF "20240131120000_posts.sql:1:1: error: is a dbmate migration (-- migrate:up at line 1)" "$tmp/expect.out" || return 1
	[ "$(tables "$db")" = keep ] || return 1
	dump "$db" | cmp -s - "$tmp/before"
}
check "[$B] up: a goose file and a dbmate file are refused (exit 2), not run Up and Down in one go; the database is untouched" t_foreign_files

t_concurrent() {
	d=$tmp/$B/concdir
	i=1
	while [ $i -le 30 ]; do
		mig "$d" "$(printf '%04d' $i)_t$i.sql" "CREATE TABLE t$i (x INTEGER);\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t$i SELECT i FROM n;\n"
		i=$((i + 1))
	done
	embed conc "$d" || return 1
	db=$(newdb conc)
	pids=
	nproc=$(pick 4 8)
	rm -f "$tmp"/conc.out.*
	p=1
	while [ $p -le $nproc ]; do
		"$tmp/conc" up --database "$db" >"$tmp/conc.out.$p" 2>&1 &
		pids="$pids $!"
		p=$((p + 1))
	done
	st=0
	for pid in $pids; do
		wait "$pid" || { echo "a process failed"; st=1; }
	done
	for f in "$tmp"/conc.out.*; do
		if grep -v '^applied\|^nothing to apply\|^conc: warning: waiting for the migration lock held by pid [0-9]*$' "$f"; then
			echo "$f: printed something else"
			st=1
		fi
	done
	[ "$(cat "$tmp"/conc.out.* | grep -c '^applied')" = 30 ] || { echo "not 30 applied lines"; return 1; }
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 30 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM t30')" = 2000 ] || return 1
	return $st
}
check "[$B] concurrency: $(pick 4 8) processes racing up on one database apply each migration exactly once" t_concurrent

t_no_transaction() {
	d=$tmp/$B/notx
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$d" 0002_vac.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nVACUUM;\nINSERT INTO a VALUES (2);\n"
	db=$(newdb notx)
	expect 0 "applied 0002_vac" build/migc up --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 2 ] || return 1
	[ "$(q "$db" "SELECT statements_done || '/' || statements_total FROM migc_migrations WHERE version = 2")" = 3/3 ]
}
check "[$B] no-transaction: a no-transaction migration runs VACUUM and records every statement" t_no_transaction

t_no_transaction_fail() {
	d=$tmp/$B/notxf
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$d" 0002_part.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nINSERT INTO nosuch VALUES (2);\nINSERT INTO a VALUES (3);\n"
	db=$(newdb notxf)
	expect 1 "$(pick "0002_part.sql:3:1: no such table: nosuch (statement 2 of 3)" \
		'0002_part.sql:3:13: ERROR: relation "nosuch" does not exist (SQLSTATE 42P01, statement 2 of 3)')" build/migc up --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 1 ] || return 1
	[ "$(q "$db" "SELECT statements_done || '/' || statements_total FROM migc_migrations WHERE version = 2")" = 1/3 ] || return 1
	expect 3 "0002_part.sql did not finish: statement 2 of 3 (0002_part.sql:3) failed: 0002_part.sql:3:" build/migc up --dir "$d" --database "$db" || return 1
	grep -qF "statements 1 to 1 are unchanged: once the cause is fixed, run up --resume to go on at statement 2; or undo its changes by hand and run repair --clear-failed 2" "$tmp/expect.out" || return 1
	expect 0 "[1 of 3 statements]" build/migc status --dir "$d" --database "$db" || return 1
	# Resume after fixing the cause: statement 1 does not run twice.
	q "$db" "CREATE TABLE nosuch (x INTEGER)" || return 1
	expect 0 "applied 0002_part" build/migc up --resume --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 2 ] || return 1
	[ "$(q "$db" "SELECT statements_done || '/' || statements_total FROM migc_migrations WHERE version = 2")" = 3/3 ] || return 1
	expect 0 "ok: 2 applied migrations match this binary" build/migc verify --dir "$d" --database "$db"
}
check "[$B] no-transaction: a failed no-transaction migration is recorded at its statement, blocks up, and resumes" t_no_transaction_fail

# verify names every problem, however many: an edited migration before a
# no-transaction one that was interrupted. (On PostgreSQL, asking who holds
# the migration lock, to tell an interrupted migration from a running one,
# used to wipe the lines before it.)
t_verify_every_problem() {
	d=$tmp/$B/every
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$d" 0002_slow.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\n$(pick \
		'SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) SELECT i FROM n);' \
		'SELECT pg_sleep(600);')\nINSERT INTO a VALUES (2);\n"
	db=$(newdb every)
	build/migc up --dir "$d" --database "$db" >/dev/null 2>&1 &
	killat "$db" $! 'SELECT statements_done FROM migc_migrations WHERE version = 2' '^1$' \
		"0002_slow ran its first statement" || return 1
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER, y INTEGER);\n"
	expect 3 "0001_a.sql was edited after it was applied (database has c1:" build/migc verify --dir "$d" --database "$db" || return 1
	grep -qF "0002_slow.sql did not finish: statement 2 of 3 (0002_slow.sql:3) was interrupted" "$tmp/expect.out" || return 1
	expect 3 "0001_a.sql was edited after it was applied" build/migc up --dir "$d" --database "$db" || return 1
	grep -qF "0002_slow.sql did not finish: statement 2 of 3" "$tmp/expect.out"
}
check "[$B] verify: an edited migration and an interrupted no-transaction one are both reported" t_verify_every_problem

t_resume_edited() {
	d=$tmp/$B/resume
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER CHECK (x > 0));\n"
	mig "$d" 0002_part.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (-2);\nINSERT INTO a VALUES (3);\n"
	db=$(newdb resume)
	expect 1 "0002_part.sql:3:1: $(pick 'CHECK constraint failed: x > 0 (statement 2 of 3)' \
		'ERROR: new row for relation "a" violates check constraint "a_x_check" (SQLSTATE 23514, statement 2 of 3)')" \
		build/migc up --dir "$d" --database "$db" || return 1
	# Fix the failing statement in the file: the statements before it are unchanged.
	mig "$d" 0002_part.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\nINSERT INTO a VALUES (3);\n"
	expect 0 "applied 0002_part" build/migc up --resume --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 3 ] || return 1
	expect 0 "ok:" build/migc verify --dir "$d" --database "$db" || return 1
	# An edit before the failed statement cannot resume.
	mig "$d" 0003_more.sql "-- migc:no-transaction\nINSERT INTO a VALUES (4);\nINSERT INTO a VALUES (-5);\n"
	expect 1 "0003_more.sql:3:1: $(pick 'CHECK constraint failed: x > 0 (statement 2 of 2)' \
		'ERROR: new row for relation "a" violates check constraint "a_x_check" (SQLSTATE 23514, statement 2 of 2)')" \
		build/migc up --dir "$d" --database "$db" || return 1
	mig "$d" 0003_more.sql "-- migc:no-transaction\nINSERT INTO a VALUES (40);\nINSERT INTO a VALUES (5);\n"
	expect 3 "the statements before it changed since, so it cannot resume: fix the database by hand, then run repair --clear-failed 3" \
		build/migc up --resume --dir "$d" --database "$db" || return 1
	q "$db" "DELETE FROM a WHERE x = 4" || return 1
	expect 0 "cleared the failed record of version 3 (more; 1 of 2 statements had run): up runs it again from the start" \
		build/migc repair --clear-failed 3 --dir "$d" --database "$db" || return 1
	expect 0 "applied 0003_more" build/migc up --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT sum(x) FROM a')" = 51 ]
}
check "[$B] no-transaction: --resume after fixing the failed statement; repair --clear-failed when earlier ones changed" t_resume_edited

t_repair_checksums() {
	d=$tmp/$B/repair
	cp -r "$base" "$d"
	db=$(newdb repair)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	printf -- '-- reviewed: a comment only\nCREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\n' >"$d/0001_a.sql"
	expect 3 "0001_a.sql was edited after it was applied" build/migc verify --dir "$d" --database "$db" || return 1
	expect 2 "repair needs exactly one of --clear-failed V and --accept-checksums" build/migc repair --dir "$d" --database "$db" || return 1
	expect 0 "0001_a.sql: recorded checksum c1:" build/migc repair --accept-checksums --dir "$d" --database "$db" || return 1
	expect 0 "ok: 2 applied migrations match this binary" build/migc verify --dir "$d" --database "$db" || return 1
	expect 0 "nothing to repair" build/migc repair --accept-checksums --dir "$d" --database "$db" || return 1
	expect 2 "repair --clear-failed: version 1 has no failed record" build/migc repair --clear-failed 1 --dir "$d" --database "$db"
}
check "[$B] repair --accept-checksums records a deliberate edit; repair refuses without its flag" t_repair_checksums

t_single_transaction() {
	d=$tmp/$B/single
	mig "$d" 0001_a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$d" 0002_b.sql "CREATE TABLE b (x INTEGER);\nINSERT INTO b VALUES (1);\n"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\nINSERT INTO nosuch VALUES (1);\n"
	db=$(newdb single)
	expect 1 "0003_c.sql:2:" build/migc up --single-transaction --dir "$d" --database "$db" || return 1
	grep -q "^applied" "$tmp/expect.out" && return 1
	[ "$(tables "$db")" = "" ] || return 1
	expect 0 "applied 0002_b" build/migc up --single-transaction --to 2 --dir "$d" --database "$db" || return 1
	[ "$(versions "$db")" = "1,2" ] || return 1
	mig "$d" 0004_d.sql "-- migc:no-transaction\nCREATE TABLE d (x INTEGER);\n"
	expect 2 "--single-transaction cannot include 0004_d.sql: it is a no-transaction migration" \
		build/migc up --single-transaction --dir "$d" --database "$db" || return 1
	[ "$(versions "$db")" = "1,2" ]
}
check "[$B] up --single-transaction: a failure in the third migration leaves nothing of the first two" t_single_transaction

t_baseline() {
	db=$(newdb baseline)
	q "$db" "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT)" || return 1
	d=$tmp/$B/bl
	cp -r "$base" "$d"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	expect 0 "baselined 0001_a" build/migc baseline 1 --dir "$d" --database "$db" || return 1
	expect 0 "applied 0003_c" build/migc up --dir "$d" --database "$db" || return 1
	grep -q "applied 0001_a" "$tmp/expect.out" && return 1
	[ "$(versions "$db")" = "1,2,3" ] || return 1
	expect 2 "baseline needs a database with no applied migrations; this one has 3" build/migc baseline 2 --dir "$d" --database "$db"
}
check "[$B] cli: baseline records without running, then up applies the rest" t_baseline

t_dry_run() {
	db=$(newdb dry)
	build/migc up --to 1 --dir "$base" --database "$db" >/dev/null || return 1
	dump "$db" >"$tmp/before"
	expect 0 "-- 0002_b.sql" build/migc up --dry-run --dir "$base" --database "$db" || return 1
	grep -qx "INSERT INTO b VALUES (1);" "$tmp/expect.out" || return 1
	grep -q "0001_a" "$tmp/expect.out" && return 1
	dump "$db" | cmp -s - "$tmp/before" || return 1
	[ "$B" = postgres ] && return 0
	expect 0 "-- 0001_a.sql" build/migc up --dry-run --dir "$base" --database "sqlite:$tmp/missing.db" || return 1
	[ ! -e "$tmp/missing.db" ]
}
check "[$B] cli: up --dry-run prints the pending SQL and changes nothing" t_dry_run

t_table() {
	db=$(newdb table)
	build/migc up --table schema_history --dir "$base" --database "$db" >/dev/null || return 1
	[ "$(q "$db" 'SELECT count(*) FROM schema_history')" = 2 ] || return 1
	db=$(newdb table2)
	build/migc up --table 'x"; DROP TABLE a; --' --dir "$base" --database "$db" >/dev/null || return 1
	[ "$(q "$db" 'SELECT count(*) FROM "x""; DROP TABLE a; --"')" = 2 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM a')" = 0 ] || return 1
	long=$(printf '%064d' 0)
	expect 2 "invalid tracking table (--table) name: it must be 1 to 63 bytes without control characters" \
		build/migc up --table "$long" --dir "$base" --database "$db" || return 1
	expect 2 "invalid tracking table (--table) name" build/migc up --table '' --dir "$base" --database "$db"
}
check "[$B] cli: --table names the tracking table, quoted (quotes and semicolons are data); 64 bytes are refused" t_table

t_also_accept() {
	d=$tmp/$B/accept
	cp -r "$base" "$d"
	db=$(newdb accept)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	old=$(build/migc list --json --dir "$d" | sed 's/.*"file":"0001_a.sql"[^}]*"checksum":"\(c1:[0-9a-f]*\)".*/\1/')
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); -- reviewed\n' >"$d/0001_a.sql"
	expect 3 "0001_a.sql was edited after it was applied" build/migc verify --dir "$d" --database "$db" || return 1
	printf -- '-- migc:also-accept %s\nCREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); -- reviewed\n' "$old" >"$d/0001_a.sql"
	expect 0 "0001_a.sql: the database recorded $old, accepted by -- migc:also-accept" build/migc verify --dir "$d" --database "$db" || return 1
	expect 0 '"state":"accepted"' build/migc status --json --dir "$d" --database "$db" || return 1
	expect 0 '"problems":[{"version":1,"state":"accepted"' build/migc verify --json --dir "$d" --database "$db"
}
check "[$B] migc:also-accept lets a database with the old checksum pass; verify reports it as accepted" t_also_accept

t_drift() {
	d=$tmp/$B/drift
	mig "$d" 0001_t.sql "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT DEFAULT 'x');\nCREATE INDEX t_name ON t (name);\nCREATE VIEW v AS SELECT id FROM t;\n"
	[ "$B" = postgres ] && mig "$d" 0002_f.sql "CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS \$\$ SELECT 1 \$\$;\n"
	db=$(newdb drift)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" build/migc verify --schema --dir "$d" --database "$db" || return 1
	p=$(pick "" public.)
	q "$db" "ALTER TABLE t ADD COLUMN extra INTEGER" || return 1
	q "$db" "DROP INDEX t_name" || return 1
	if [ "$B" = postgres ]; then
		q "$db" "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'y'" || return 1
		q "$db" "CREATE OR REPLACE FUNCTION f() RETURNS integer LANGUAGE sql AS \$\$ SELECT 2 \$\$" || return 1
	else
		q "$db" "DROP VIEW v; CREATE VIEW v AS SELECT id, name FROM t" || return 1
	fi
	expect 3 "added column ${p}t.extra" build/migc verify --schema --dir "$d" --database "$db" || return 1
	grep -q "^  removed index ${p}t_name$" "$tmp/expect.out" || return 1
	if [ "$B" = postgres ]; then
		grep -q "^  changed column public.t.name$" "$tmp/expect.out" || return 1
		grep -q "^    now: text DEFAULT 'y'::text$" "$tmp/expect.out" || return 1
		grep -q "^  changed function public.f()$" "$tmp/expect.out" || return 1
	else
		grep -q "^  changed view v$" "$tmp/expect.out" || return 1
	fi
	expect 3 "{\"kind\":\"index\",\"name\":\"${p}t_name\",\"change\":\"removed\"" build/migc verify --schema --json --dir "$d" --database "$db" || return 1
	expect 0 "schema: drifted: " build/migc status --schema --dir "$d" --database "$db" || return 1
	# The tracking table itself is not part of the schema, and verify without --schema does not look.
	expect 0 "ok: " build/migc verify --dir "$d" --database "$db"
}
check "[$B] verify --schema names hand-made changes: added column, dropped index, changed $(pick view 'default and function body')" t_drift

# Rows record s3: fingerprints since 0.5; a row an older migc recorded
# with s2: (the SHA-256 of the text) is compared by its own definition:
# it matches while the schema is what it recorded, and drift is named.
t_schema_s2_record() {
	d=$tmp/$B/s2record
	mig "$d" 0001_t.sql "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\n"
	db=$(newdb s2record)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	case $(q "$db" "SELECT schema_fingerprint FROM migc_migrations WHERE version = 1") in
	s3:????????????????????????????????????????????????????????????????) ;;
	*) echo "the row does not record an s3: fingerprint"; return 1 ;;
	esac
	if [ "$B" = postgres ]; then
		q "$db" "UPDATE migc_migrations SET schema_fingerprint = 's2:' || encode(sha256(convert_to(schema_text, 'UTF8')), 'hex')" || return 1
	else
		q "$db" "SELECT writefile('$tmp/s2record.txt', schema_text) FROM migc_migrations WHERE version = 1" >/dev/null || return 1
		q "$db" "UPDATE migc_migrations SET schema_fingerprint = 's2:$(sha256sum <"$tmp/s2record.txt" | cut -c1-64)'" || return 1
	fi
	expect 0 "schema: matches what the newest migration produced" build/migc verify --schema --dir "$d" --database "$db" || return 1
	q "$db" "ALTER TABLE t ADD COLUMN extra INTEGER" || return 1
	expect 3 "added column $(pick "" public.)t.extra" build/migc verify --schema --dir "$d" --database "$db" || return 1
	# What the match above rests on: another s2: value does not match.
	q "$db" "ALTER TABLE t DROP COLUMN extra" || return 1
	expect 0 "schema: matches" build/migc verify --schema --dir "$d" --database "$db" || return 1
	q "$db" "UPDATE migc_migrations SET schema_fingerprint = 's2:$(printf '%064d' 0)'" || return 1
	expect 3 "schema drift" build/migc verify --schema --dir "$d" --database "$db"
}
check "[$B] verify --schema: rows record s3: fingerprints; an s2: row of migc 0.4 is compared by its own definition" t_schema_s2_record

# A run killed after its last migration committed but before it recorded the
# schema leaves the newest row without one: the next up, with nothing to
# apply, records it.
t_schema_unrecorded() {
	d=$tmp/$B/unrecorded
	mig "$d" 0001_t.sql "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"
	mig "$d" 0002_u.sql "CREATE TABLE u (id INTEGER PRIMARY KEY);\n"
	db=$(newdb unrecorded)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	q "$db" "UPDATE migc_migrations SET schema_fingerprint = NULL, schema_text = NULL" || return 1
	expect 3 "version 2 has no recorded schema (applied by an older migc, or its run was interrupted): run up once to record it" \
		build/migc verify --schema --dir "$d" --database "$db" || return 1
	expect 0 "nothing to apply" build/migc up --dir "$d" --database "$db" || return 1
	expect 0 "schema: matches what the newest migration produced" build/migc verify --schema --dir "$d" --database "$db"
}
check "[$B] up records the schema a killed run left unrecorded, with nothing else to do" t_schema_unrecorded

# A no-transaction down holds the migration lock throughout and marks its
# row with how far it got: killed part way, the row reads as failed, not
# as applied with its index gone; a concurrent up cannot apply a newer
# migration in the middle of it.
notxdown() {
	mig "$1" 0001_k.sql "CREATE TABLE k (x INTEGER);\n"
	mig "$1" 0002_kx.sql "-- migc:no-transaction\nCREATE INDEX k_x ON k (x);\n"
	mig "$1" 0002_kx.down.sql "-- migc:no-transaction\nDROP INDEX IF EXISTS k_x;\n$(pick \
		'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) FROM n;' \
		'SELECT pg_sleep(2);')\n"
}

# waitgone DB: wait until index k_x is gone (the down's first statement ran).
waitgone() {
	n=0
	until [ "$(q "$1" "$(pick "SELECT count(*) FROM sqlite_schema WHERE name = 'k_x'" \
		"SELECT count(*) FROM pg_indexes WHERE indexname = 'k_x'")")" = 0 ]; do
		n=$((n + 1))
		[ $n -lt 500 ] || { echo "the down never dropped k_x"; return 1; }
		sleep 0.01
	done
}

t_notx_down_killed() {
	d=$tmp/$B/notxdown
	notxdown "$d"
	db=$(newdb notxdown)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	build/migc down --dir "$d" --database "$db" >/dev/null 2>&1 &
	pid=$!
	# Kill it once its row records the first statement (the index gone
	# alone is not enough: the row is updated just after).
	killat "$db" $pid 'SELECT error FROM migc_migrations WHERE version = 2' '^down did not finish: 1 of 2 ' \
		"the down recorded its first statement" || return 1
	expect 3 "reverting 0002_kx.sql failed: down did not finish: 1 of 2 statements of 0002_kx.down.sql had run" \
		build/migc verify --dir "$d" --database "$db" || return 1
	expect 3 "down did not finish" build/migc up --dir "$d" --database "$db" || return 1
	expect 0 "[reverting it did not finish]" build/migc status --dir "$d" --database "$db" || return 1
	expect 0 "cleared the failed record of version 2" build/migc repair --clear-failed 2 --dir "$d" --database "$db" || return 1
	expect 0 "applied 0002_kx" build/migc up --dir "$d" --database "$db"
}
check "[$B] no-transaction down: killed part way, its row reads failed (not applied with its index gone)" t_notx_down_killed

t_notx_down_race() {
	d=$tmp/$B/notxrace
	notxdown "$d"
	d2=$tmp/$B/notxrace2
	cp -r "$d" "$d2"
	mig "$d2" 0003_n.sql "CREATE TABLE n (x INTEGER);\n"
	db=$(newdb notxrace)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	build/migc down --dir "$d" --database "$db" >"$tmp/notxrace.out" 2>&1 &
	pid=$!
	waitgone "$db" || { kill -9 $pid; return 1; }
	# SQLite: the marked row stops it (exit 3); PostgreSQL: it waits for the lock.
	build/migc up --dir "$d2" --database "$db" >"$tmp/notxrace.up" 2>&1
	st=$?
	cat "$tmp/notxrace.up"
	wait $pid || { cat "$tmp/notxrace.out"; return 1; }
	[ $st = 0 ] || { [ $st = 3 ] && grep -q "reverting 0002_kx.sql failed: down did not finish" "$tmp/notxrace.up"; } ||
		{ echo "up exited $st"; return 1; }
	expect 0 "" build/migc up --dir "$d2" --database "$db" || return 1
	[ "$(versions "$db")" = "1,2,3" ] || return 1
	expect 0 "ok: 3 applied migrations match" build/migc verify --dir "$d2" --database "$db"
}
check "[$B] no-transaction down: an up racing it never applies a newer migration in its middle" t_notx_down_race

# e2e_agree STATUS ARGS...: verify and verify --json (with ARGS) both exit
# STATUS, and the JSON's "ok" says the same.
e2e_agree() {
	want=$1
	shift
	build/migc verify "$@" >"$tmp/agree.txt" 2>&1
	text=$?
	build/migc verify --json "$@" >"$tmp/agree.json" 2>/dev/null
	json=$?
	if [ "$text" != "$want" ] || [ "$json" != "$want" ]; then
		echo "verify exited $text, verify --json $json, expected $want: $*"
		cat "$tmp/agree.txt" "$tmp/agree.json"
		return 1
	fi
	case $want in
	0) grep -q '^{"ok":true,' "$tmp/agree.json" ;;
	*) grep -q '^{"ok":false,' "$tmp/agree.json" ;;
	esac || { cat "$tmp/agree.json"; return 1; }
}

t_verdict_agrees() {
	d=$tmp/$B/verdict
	rm -rf "$d" && cp -r "$base" "$d" || return 1
	db=$(newdb verdict)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	e2e_agree 0 --dir "$d" --database "$db" || return 1
	# Line endings only: not a problem.
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\r\n' >"$d/0001_a.sql"
	e2e_agree 0 --dir "$d" --database "$db" || return 1
	# Edited, then accepted by also-accept.
	old=$(build/migc list --json --dir "$base" | sed 's/.*"file":"0001_a.sql"[^}]*"checksum":"\(c1:[0-9a-f]*\)".*/\1/')
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); -- edited\n' >"$d/0001_a.sql"
	e2e_agree 3 --dir "$d" --database "$db" || return 1
	printf -- '-- migc:also-accept %s\nCREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); -- edited\n' "$old" >"$d/0001_a.sql"
	e2e_agree 0 --dir "$d" --database "$db" || return 1
	# Out of order: a problem unless allowed.
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	mkdir -p "$d.ooo" && cp "$d/0001_a.sql" "$d/0003_c.sql" "$d.ooo/" && cp "$base/0002_b.sql" "$d.ooo/" || return 1
	q "$db" "DELETE FROM migc_migrations WHERE version = 2" || return 1
	e2e_agree 3 --dir "$d.ooo" --database "$db" || return 1
	e2e_agree 0 --allow-out-of-order --dir "$d.ooo" --database "$db" || return 1
	# Unknown rows: the database is ahead of this set.
	e2e_agree 3 --dir "$base" --database "$db" --allow-out-of-order || return 1
	# A failed no-transaction migration.
	f=$tmp/$B/verdict-failed
	rm -rf "$f"
	mig "$f" 0001_a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$f" 0002_part.sql "-- migc:no-transaction\nINSERT INTO a VALUES (1);\nINSERT INTO nosuch VALUES (2);\n"
	db=$(newdb verdict_failed)
	build/migc up --dir "$f" --database "$db" >/dev/null 2>&1
	[ "$(q "$db" "SELECT statements_done FROM migc_migrations WHERE version = 2")" = 1 ] || return 1
	e2e_agree 3 --dir "$f" --database "$db"
}
check "[$B] verify: text and --json give one verdict on clean, line-ending, edited, accepted, out-of-order, unknown and failed rows" t_verdict_agrees

# Repeatable migrations (R__name.sql): run after the versioned ones, in
# name order, once nothing versioned is pending, and again whenever they
# change, recorded in TABLE_repeatable; status, verify and up --dry-run
# show them; a failing one is rolled back with its record as it was; a
# set without them (an older binary's) reads the database as before.
t_repeatable() {
	d=$tmp/$B/repeatable
	rm -rf "$d" "$d-old"
	mig "$d" 0001_t.sql "CREATE TABLE t (x INTEGER);\n"
	mig "$d" 0002_u.sql "CREATE TABLE u (x INTEGER);\n"
	cp -r "$d" "$d-old"
	mig "$d" R__b_views.sql "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x FROM t;\n"
	mig "$d" R__a_log.sql "CREATE TABLE IF NOT EXISTS log (n INTEGER);\nINSERT INTO log VALUES (1);\n"
	mig "$d" R__c_outside.sql "-- migc:no-transaction\n$(pick 'VACUUM;' 'CREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);')\n"
	db=$(newdb repeatable)
	run="build/migc --dir $d --database $db"
	expect 0 "R__a_log  repeatable, 2 statements" build/migc --dir "$d" list || return 1
	expect 0 "applied 0001_t" $run up --to 1 || return 1
	! grep -q R__ "$tmp/expect.out" || { echo "up --to 1 ran a repeatable migration"; return 1; }
	expect 0 "applied R__a_log" $run up || return 1
	[ "$(grep -o '^applied [^ ]*' "$tmp/expect.out" | tr '\n' ' ')" = "applied 0002_u applied R__a_log applied R__b_views applied R__c_outside " ] ||
		{ echo "not versioned first, then in name order"; return 1; }
	expect 0 "nothing to apply" $run up || return 1
	[ "$(q "$db" 'SELECT count(*) FROM log')" = 1 ] || { echo "an unchanged one ran again"; return 1; }
	[ "$(q "$db" "SELECT name || ' ' || file FROM migc_migrations_repeatable ORDER BY name" | tr '\n' ,)" = \
		"a_log R__a_log.sql,b_views R__b_views.sql,c_outside R__c_outside.sql," ] || { echo "not recorded"; return 1; }
	expect 0 "2 applied, 0 pending; 3 repeatable, 0 to run" $run status || return 1
	# An edit runs it again, and only it.
	mig "$d" R__b_views.sql "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x, x + 1 AS y FROM t;\n"
	expect 0 "[changed since it ran: up runs it again]" $run status || return 1
	expect 0 "3 repeatable, 1 to run (up runs them)" $run verify || return 1
	expect 0 "CREATE VIEW v AS SELECT x, x + 1 AS y FROM t;" $run up --dry-run || return 1
	! grep -q 'INSERT INTO log' "$tmp/expect.out" || { echo "the dry run shows an unchanged one"; return 1; }
	expect 0 "applied R__b_views" $run up || return 1
	! grep -q 'R__a_log\|R__c_outside' "$tmp/expect.out" || { echo "an unchanged one ran again"; return 1; }
	q "$db" "INSERT INTO t VALUES (1)" && [ "$(q "$db" 'SELECT y FROM v')" = 2 ] || { echo "the edited view is not there"; return 1; }
	# A failing one rolls back: its record and the view stay as they were.
	before=$(q "$db" "SELECT checksum FROM migc_migrations_repeatable WHERE name = 'b_views'")
	mig "$d" R__b_views.sql "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x FROM t;\nINSERT INTO nosuch VALUES (1);\n"
	expect 1 "R__b_views.sql" $run up || return 1
	[ "$(q "$db" "SELECT checksum FROM migc_migrations_repeatable WHERE name = 'b_views'")" = "$before" ] ||
		{ echo "a failed one was recorded"; return 1; }
	[ "$(q "$db" 'SELECT y FROM v')" = 2 ] || { echo "the failed one's DROP VIEW stayed"; return 1; }
	expect 0 '"repeatables":[{"state":"applied","name":"a_log"' $run status --json || return 1
	# What they made is in the schema the run recorded, which the drift
	# check compares with (the replay's embedded fingerprints lack it).
	mig "$d" R__b_views.sql "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x, x + 1 AS y FROM t;\n"
	embed repeatable "$d" || return 1
	expect 0 "nothing to apply" "$tmp/repeatable" up --database "$db" || return 1
	expect 0 "ok:" "$tmp/repeatable" verify --schema --database "$db" || return 1
	# A set without repeatable migrations reads the database as before.
	expect 0 "ok: 2 applied migrations match this binary, 0 pending" build/migc --dir "$d-old" --database "$db" verify || return 1
	expect 0 "nothing to apply" build/migc --dir "$d-old" --database "$db" up || return 1
	# --single-transaction: the versioned ones in one, then each repeatable one.
	mig "$d" R__b_views.sql "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x FROM t;\n"
	db=$(newdb repeatable-single)
	expect 0 "applied R__c_outside" build/migc --dir "$d" --database "$db" up --single-transaction || return 1
	[ "$(q "$db" "SELECT count(*) FROM migc_migrations_repeatable")" = 3 ] || { echo "not all recorded"; return 1; }
}
check "[$B] repeatable migrations: after the versioned ones, in name order, again when changed, a failure rolled back; status, verify, --dry-run" t_repeatable

# Repeatable migrations in the order of their names (R__a before R__a-b);
# a down makes them run again at the next up (it may have dropped what they
# built on); their record table is no part of the schema (a set without them
# sees no drift); a tracking table name that leaves no room for their
# table's is refused before anything runs.
t_repeatable_edges() {
	d=$tmp/$B/repeatable2
	rm -rf "$d" "$d-old" "$d-noop"
	mig "$d" 0001_t.sql "CREATE TABLE t (x INTEGER);\n"
	mig "$d" 0001_t.down.sql "DROP TABLE t$(pick '' ' CASCADE');\n"
	cp -r "$d" "$d-old"
	cp -r "$d" "$d-noop"
	mig "$d" R__a.sql "CREATE TABLE IF NOT EXISTS runs (n TEXT);\nINSERT INTO runs VALUES ('a');\n"
	mig "$d" R__a-b.sql "INSERT INTO runs VALUES ('a-b');\n"
	mig "$d" R__v.sql "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT x FROM t;\n"
	db=$(newdb repeatable2)
	run="build/migc --dir $d --database $db"
	expect 0 "applied R__v" $run up || return 1
	[ "$(grep -o '^applied R__[^ ]*' "$tmp/expect.out" | tr '\n' ' ')" = "applied R__a applied R__a-b applied R__v " ] ||
		{ echo "not in the order of their names"; return 1; }
	expect 0 "reverted 0001_t" $run down || return 1
	expect 0 "applied R__v" $run up || return 1
	[ "$(q "$db" 'SELECT count(*) FROM v')" = 0 ] && [ "$(q "$db" 'SELECT count(*) FROM runs')" = 4 ] ||
		{ echo "the repeatable ones did not run again after the down"; return 1; }
	mig "$d-noop" R__noop.sql "SELECT 1;\n"
	db=$(newdb repeatable2-noop)
	expect 0 "applied R__noop" build/migc --dir "$d-noop" --database "$db" up || return 1
	embed repeatable2-old "$d-old" || return 1
	expect 0 "ok:" "$tmp/repeatable2-old" verify --schema --database "$db" || return 1
	db=$(newdb repeatable2-long)
	expect 2 "use a tracking table name of at most 52 bytes (--table)" build/migc --dir "$d" --database "$db" \
		--table "t_$(printf 'x%.0s' $(seq 51))" up || return 1
	[ "$(tables "$db" 2>/dev/null)" = "" ] || { echo "something ran: $(tables "$db")"; return 1; }
}
check "[$B] repeatable migrations: name order, again after a down, no part of the schema, a too long --table refused first" t_repeatable_edges
