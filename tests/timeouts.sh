# tests/timeouts.sh: --ddl-lock-timeout, --ddl-retries, --statement-timeout
# and a file's -- migc:lock-timeout on PostgreSQL ($B), sourced by
# tests/run. An application session holds ACCESS SHARE on a table for 6 s
# while a migration's ALTER TABLE wants ACCESS EXCLUSIVE; a third session
# reads the table all along. With a 500 ms lock timeout no read waits much longer
# than that (without one, every read would wait the 6 s), the migration is
# tried again until the session ends, and each retry names the session
# that holds the lock.

tdir=$tmp/$B/timeouts
rm -rf "$tdir"
mig "$tdir" 0001_t.sql "CREATE TABLE t (x integer);\nINSERT INTO t VALUES (1);\n"
mig "$tdir" 0002_y.sql "ALTER TABLE t ADD COLUMN y integer;\n"
mig "$tdir" 0002_y.down.sql "ALTER TABLE t DROP COLUMN y;\n"
mig "$tdir" 0003_z.sql "-- migc:no-transaction\nALTER TABLE t ADD COLUMN z integer;\n"

# holdlock DB SECONDS [COLUMNS]: an application session holds ACCESS
# SHARE on t for SECONDS, in the background ($holder), its query selecting
# COLUMNS too; returns once it has the lock.
holdlock() {
	holdtable "$1" "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT ${3:-}pg_sleep($2); COMMIT" AccessShareLock
}

# heldexpect DB SECONDS STATUS TEXT COMMAND...: expect (tests/lib.sh)
# while an application session holds ACCESS SHARE on t for SECONDS, then
# wait for that session to end; expect's status.
heldexpect() {
	_hdb=$1
	_hs=$2
	shift 2
	holdlock "$_hdb" "$_hs" || return 1
	expect "$@"
	_hst=$?
	wait $holder
	return $_hst
}

# reader DB: read t in new transactions until $tmp/reader.stop exists;
# the longest read, in ms, goes to $tmp/reader.max.
reader() {
	max=0
	while [ ! -e "$tmp/reader.stop" ]; do
		s=$(date +%s%N)
		q "$1" "SELECT count(*) FROM t" >/dev/null
		d=$((($(date +%s%N) - s) / 1000000))
		[ $d -le $max ] || max=$d
	done
	echo $max >"$tmp/reader.max"
}

t_ddl_lock_timeout() {
	db=$(newdb ddl_timeout)
	build/migc up --to 1 --dir "$tdir" --database "$db" >/dev/null || return 1
	holdlock "$db" 6 || return 1
	rm -f "$tmp/reader.stop" "$tmp/reader.max"
	reader "$db" &
	rpid=$!
	expect 0 "applied 0002_y" build/migc up --to 2 --ddl-lock-timeout 500ms --ddl-retries 30 --dir "$tdir" --database "$db"
	st=$?
	touch "$tmp/reader.stop"
	wait $rpid
	wait $holder
	[ $st = 0 ] || return 1
	grep -q "^retry 1 of 30 in [0-9]* ms: 0002_y.sql:1:1: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03" "$tmp/expect.out" &&
		grep -q "^the lock is held by pid [0-9]* (its transaction has run [0-9.]* s): BEGIN; LOCK TABLE t IN ACCESS SHARE MODE" "$tmp/expect.out" ||
		{ echo "no retry line naming the session that holds the lock"; return 1; }
	max=$(cat "$tmp/reader.max")
	echo "the longest read of t took $max ms"
	[ "$max" -lt 3000 ] || { echo "a read waited $max ms behind the migration"; return 1; }
	[ "$(versions "$db")" = 1,2 ]
}
check "[postgres] --ddl-lock-timeout 500ms: reads of the table never wait long behind the migration, which retries until the lock is free" t_ddl_lock_timeout

t_ddl_retries_run_out() {
	db=$(newdb ddl_retries)
	build/migc up --to 1 --dir "$tdir" --database "$db" >/dev/null || return 1
	before=$(dump "$db")
	heldexpect "$db" 6 1 "gave up after 1 retry (--ddl-retries)" build/migc up --ddl-lock-timeout 300ms --ddl-retries 1 --dir "$tdir" --database "$db" || return 1
	grep -q "^migc: error: 0002_y.sql:1:1: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03, statement 1 of 1)" "$tmp/expect.out" &&
		grep -q "^the lock is held by pid [0-9]* (its transaction has run [0-9.]* s): BEGIN; LOCK TABLE t" "$tmp/expect.out" ||
		{ echo "the message does not name the statement and the session holding the lock"; return 1; }
	[ "$(dump "$db")" = "$before" ] || { echo "the database changed"; return 1; }
}
check "[postgres] --ddl-retries 1 runs out: exit 1 naming the blocking session, the database unchanged" t_ddl_retries_run_out

# A short lock timeout names the blocker too: it is looked up half way.
t_ddl_short_timeout() {
	db=$(newdb ddl_short)
	build/migc up --to 1 --dir "$tdir" --database "$db" >/dev/null || return 1
	heldexpect "$db" 2 1 "canceling statement due to lock timeout" build/migc up --ddl-lock-timeout 100ms --ddl-retries 0 --dir "$tdir" --database "$db" &&
		grep -q "^the lock is held by pid [0-9]* (its transaction has run [0-9.]* s): BEGIN; LOCK TABLE t" "$tmp/expect.out"
}
check "[postgres] --ddl-lock-timeout 100ms: the message names the blocking session" t_ddl_short_timeout

# down and --single-transaction retry as up does: the revert, or the
# whole transaction.
t_ddl_down_retry() {
	db=$(newdb ddl_down)
	build/migc up --to 2 --dir "$tdir" --database "$db" >/dev/null || return 1
	heldexpect "$db" 3 0 "reverted 0002_y" build/migc down --ddl-lock-timeout 300ms --ddl-retries 30 --dir "$tdir" --database "$db" &&
		grep -q "^retry 1 of 30 in [0-9]* ms: 0002_y.down.sql:1:1: ERROR: canceling statement due to lock timeout" "$tmp/expect.out" &&
		[ "$(versions "$db")" = 1 ]
}
check "[postgres] --ddl-lock-timeout: down retries a transactional revert until the lock is free" t_ddl_down_retry

# A down file's own lock timeout gives its revert the default 5 retries.
t_file_down_retry() {
	d=$tmp/$B/downfile
	mig "$d" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$d" 0002_y.sql "ALTER TABLE t ADD COLUMN y integer;\n"
	mig "$d" 0002_y.down.sql "-- migc:lock-timeout 300ms\nALTER TABLE t DROP COLUMN y;\n"
	db=$(newdb file_down)
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	heldexpect "$db" 2 0 "reverted 0002_y" build/migc down --dir "$d" --database "$db" &&
		grep -q "^retry 1 of 5 in [0-9]* ms: 0002_y.down.sql:2:1: ERROR: canceling statement due to lock timeout" "$tmp/expect.out"
}
check "[postgres] -- migc:lock-timeout in a down file: its revert retries, 5 times by default" t_file_down_retry

t_ddl_single_retry() {
	db=$(newdb ddl_single)
	build/migc up --to 1 --dir "$tdir" --database "$db" >/dev/null || return 1
	heldexpect "$db" 3 0 "applied 0002_y" build/migc up --to 2 --single-transaction --ddl-lock-timeout 300ms --ddl-retries 30 \
		--dir "$tdir" --database "$db" &&
		grep -q "^retry 1 of 30 in [0-9]* ms: 0002_y.sql:1:1: ERROR: canceling statement due to lock timeout" "$tmp/expect.out" &&
		[ "$(versions "$db")" = 1,2 ]
}
check "[postgres] --ddl-lock-timeout: --single-transaction retries the whole transaction until the lock is free" t_ddl_single_retry

t_ddl_notx_retry() {
	db=$(newdb ddl_notx)
	build/migc up --to 2 --dir "$tdir" --database "$db" >/dev/null || return 1
	heldexpect "$db" 3 0 "applied 0003_z" build/migc up --ddl-lock-timeout 300ms --ddl-retries 30 --dir "$tdir" --database "$db" &&
		grep -q "^retry 1 of 30 in [0-9]* ms: 0003_z.sql:2:1: ERROR: canceling statement due to lock timeout" "$tmp/expect.out" &&
		[ "$(versions "$db")" = 1,2,3 ]
}
check "[postgres] --ddl-lock-timeout: a no-transaction migration retries the statement that timed out" t_ddl_notx_retry

t_statement_timeout() {
	d=$tmp/$B/stmttimeout
	mig "$d" 0001_slow.sql "CREATE TABLE s (x integer);\nSELECT pg_sleep(5);\n"
	db=$(newdb stmt_timeout)
	expect 1 "0001_slow.sql:2:1: ERROR: canceling statement due to statement timeout (SQLSTATE 57014, statement 2 of 2)" \
		build/migc up --statement-timeout 200ms --ddl-retries 3 --dir "$d" --database "$db" || return 1
	grep -q "^retry" "$tmp/expect.out" && { echo "a statement timeout was retried"; return 1; }
	# The tracking table was made in the migration's transaction.
	[ -z "$(tables "$db")" ] || { echo "tables left: $(tables "$db")"; return 1; }
}
check "[postgres] --statement-timeout 200ms stops a long statement, rolls the migration back, and is not retried" t_statement_timeout

t_timeout_usage() {
	expect 2 "--ddl-lock-timeout: '500' is not a duration: a number and its unit, as in 500ms, 5s or 1min" \
		build/migc up --ddl-lock-timeout 500 --dir "$tdir" --database "$(newdb ddl_usage)" || return 1
	expect 2 "--ddl-retries: '1001' is not a number from 0 to 1000" \
		build/migc up --ddl-retries 1001 --dir "$tdir" --database "$(newdb ddl_usage)" || return 1
	rm -f "$tmp/ddl_usage.db"
	for opt in "--statement-timeout 1s" "--ddl-lock-timeout 1s" "--ddl-retries 3" --create-schema; do
		# shellcheck disable=SC2086
		expect 2 "${opt%% *} is for PostgreSQL: this set is for SQLite" \
			build/migc up $opt --dialect sqlite --dir "$tdir" --database "sqlite:$tmp/ddl_usage.db" || return 1
	done
	[ ! -e "$tmp/ddl_usage.db" ] || { echo "the refused run made the database file"; return 1; }
}
check "[postgres] --ddl-lock-timeout, --ddl-retries, --statement-timeout: bad values and SQLite are usage errors (exit 2)" t_timeout_usage

# A no-transaction migration's own SET lock_timeout stands: migc's comes
# once, before its first statement.
t_ddl_own_setting() {
	d=$tmp/$B/ownsetting
	mig "$d" 0001_own.sql "-- migc:no-transaction\nSET lock_timeout = '5s';\nDO \$\$ BEGIN RAISE NOTICE 'lock_timeout is %', current_setting('lock_timeout'); END \$\$;\n"
	db=$(newdb ddl_own)
	expect 0 "lock_timeout is 5s" build/migc up --ddl-lock-timeout 500ms --dir "$d" --database "$db"
}
check "[postgres] --ddl-lock-timeout: a no-transaction migration's own SET lock_timeout stands" t_ddl_own_setting

# A no-transaction statement that commits as it goes is not tried again:
# CALL of a procedure that commits a row, then waits for t's lock.
t_ddl_no_retry_commits() {
	d=$tmp/$B/noretry
	mig "$d" 0001_t.sql "CREATE TABLE t (x integer);\nCREATE TABLE log (x integer);\nCREATE PROCEDURE batch() LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO log VALUES (1); COMMIT; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; END \$\$;\n"
	mig "$d" 0002_call.sql "-- migc:no-transaction\nCALL batch();\n"
	db=$(newdb ddl_noretry)
	build/migc up --to 1 --dir "$d" --database "$db" >/dev/null || return 1
	heldexpect "$db" 3 1 "canceling statement due to lock timeout" build/migc up --ddl-lock-timeout 300ms --ddl-retries 5 --dir "$d" --database "$db" || return 1
	grep -q "^retry" "$tmp/expect.out" && { echo "the CALL was tried again"; return 1; }
	[ "$(q "$db" "SELECT count(*) FROM log")" = 1 ]
}
check "[postgres] --ddl-retries does not retry a no-transaction CALL, which may have committed part of its work" t_ddl_no_retry_commits

# Another session's query that names a password is not printed.
t_ddl_blocker_password() {
	db=$(newdb ddl_blockerpw)
	build/migc up --to 1 --dir "$tdir" --database "$db" >/dev/null || return 1
	holdlock "$db" 3 "'ALTER ROLE x PASSWORD ''S3cr3tPW''', " || return 1
	expect 1 "the lock is held by pid" build/migc up --ddl-lock-timeout 600ms --ddl-retries 0 --dir "$tdir" --database "$db"
	st=$?
	wait $holder
	[ $st = 0 ] || return 1
	grep -q "S3cr3tPW" "$tmp/expect.out" && { echo "the password was printed"; return 1; }
	grep -q "(its query is not shown: it names a password)" "$tmp/expect.out"
}
check "[postgres] --ddl-lock-timeout: a blocking session's query that names a password is not printed" t_ddl_blocker_password

# A deadlock (40P01) is retried like a lost lock wait. The application
# holds b, then wants a; the migration holds a, then wants b. The server
# picks as its victim the session whose deadlock_timeout runs out first
# while both wait: the migration's (the default 1 s), as the application
# set 10 s. The application's wait for a must begin while the migration
# holds a: it asks 1 s after it holds b, the migration takes a at once.
t_deadlock_retry() {
	d=$tmp/$B/deadlock
	mig "$d" 0001_ab.sql "CREATE TABLE a (x integer);\nCREATE TABLE b (x integer);\n"
	mig "$d" 0002_lock.sql "LOCK TABLE a;\nSELECT pg_sleep(1.5);\nLOCK TABLE b;\nINSERT INTO a VALUES (1);\n"
	db=$(newdb ddl_deadlock)
	build/migc up --to 1 --dir "$d" --database "$db" >/dev/null || return 1
	"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -c "SET deadlock_timeout = '10s'" \
		-c "BEGIN; LOCK TABLE b; SELECT pg_sleep(1); LOCK TABLE a; COMMIT" >"$tmp/deadlock.app" 2>&1 &
	app=$!
	waitfor "the application's lock on b" qis "$db" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE c.relname = 'b' AND l.granted AND l.mode = 'AccessExclusiveLock'" 1 || return 1
	expect 0 "applied 0002_lock" build/migc up --ddl-retries 3 --dir "$d" --database "$db"
	st=$?
	wait $app || { echo "the application's transaction failed:"; cat "$tmp/deadlock.app"; return 1; }
	[ $st = 0 ] || return 1
	grep -q "^retry 1 of 3 in [0-9]* ms: 0002_lock.sql:3:1: ERROR: deadlock detected (SQLSTATE 40P01" "$tmp/expect.out" ||
		{ echo "no retry after the deadlock"; return 1; }
	[ "$(versions "$db")" = 1,2 ] && [ "$(q "$db" "SELECT count(*) FROM a")" = 1 ]
}
check "[postgres] --ddl-retries: a migration that loses a deadlock is rolled back and retried" t_deadlock_retry

# -- migc:lock-timeout: a file's own lock timeout, in place of the run's
# (--ddl-lock-timeout) for that file's statements alone, with the same
# retries (5 by default once a timeout applies) and the same report of
# the session that holds the lock.
fdir=$tmp/$B/filetimeouts
rm -rf "$fdir"
mig "$fdir" 0001_t.sql "CREATE TABLE t (x integer);\nINSERT INTO t VALUES (1);\n"
mig "$fdir" 0002_y.sql "-- migc:lock-timeout 200ms\nALTER TABLE t ADD COLUMN y integer;\n"
mig "$fdir" 0003_z.sql "-- migc:no-transaction\n-- migc:lock-timeout 200ms\nALTER TABLE t ADD COLUMN z integer;\n"

t_file_lock_timeout() {
	db=$(newdb file_timeout)
	build/migc up --to 1 --dir "$fdir" --database "$db" >/dev/null || return 1
	# 4 s: the five default retries wait at least 3.9 s between them.
	holdlock "$db" 4 || return 1
	rm -f "$tmp/reader.stop" "$tmp/reader.max"
	reader "$db" &
	rpid=$!
	expect 0 "applied 0002_y" build/migc up --to 2 --dir "$fdir" --database "$db"
	st=$?
	touch "$tmp/reader.stop"
	wait $rpid
	wait $holder
	[ $st = 0 ] || return 1
	grep -q "^retry 1 of 5 in [0-9]* ms: 0002_y.sql:2:1: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03" "$tmp/expect.out" ||
		{ echo "no retry line (5 by default) for the file's lock timeout"; return 1; }
	grep -q "^the lock is held by pid [0-9]* (its transaction has run [0-9.]* s): BEGIN; LOCK TABLE t IN ACCESS SHARE MODE" "$tmp/expect.out" ||
		{ echo "the retry does not name the session that holds the lock"; return 1; }
	max=$(cat "$tmp/reader.max")
	echo "the longest read of t took $max ms"
	[ "$max" -lt 2000 ] || { echo "a read waited $max ms behind the migration"; return 1; }
	[ "$(versions "$db")" = 1,2 ]
}
check "[postgres] -- migc:lock-timeout 200ms without --ddl-lock-timeout: reads never wait long, the migration retries (5 by default) naming the blocker" t_file_lock_timeout

# The file's 200 ms wins over the run's minute: with no retries the
# migration fails while the session holds the lock (under the minute it
# would wait the 3 s and pass), and nothing of it stays.
t_file_lock_timeout_overrides() {
	db=$(newdb file_override)
	build/migc up --to 1 --dir "$fdir" --database "$db" >/dev/null || return 1
	before=$(dump "$db")
	heldexpect "$db" 3 1 "0002_y.sql:2:1: ERROR: canceling statement due to lock timeout (SQLSTATE 55P03, statement 1 of 1)" \
		build/migc up --to 2 --ddl-lock-timeout 1min --ddl-retries 0 --dir "$fdir" --database "$db" || return 1
	grep -q "^the lock is held by pid [0-9]* (its transaction has run [0-9.]* s): BEGIN; LOCK TABLE t" "$tmp/expect.out" ||
		{ echo "the message does not name the session holding the lock"; return 1; }
	[ "$(dump "$db")" = "$before" ] || { echo "the database changed"; return 1; }
}
check "[postgres] -- migc:lock-timeout 200ms overrides a longer --ddl-lock-timeout for its file" t_file_lock_timeout_overrides

# off: the file waits as long as it takes, whatever the run sets.
t_file_lock_timeout_off() {
	d=$tmp/$B/filetimeoutoff
	mig "$d" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$d" 0002_wait.sql "-- migc:lock-timeout off\nALTER TABLE t ADD COLUMN y integer;\n"
	db=$(newdb file_off)
	build/migc up --to 1 --dir "$d" --database "$db" >/dev/null || return 1
	heldexpect "$db" 2 0 "applied 0002_wait" build/migc up --ddl-lock-timeout 200ms --ddl-retries 0 --dir "$d" --database "$db" || return 1
	grep -q "retry\|lock timeout" "$tmp/expect.out" && { echo "the file's off did not stand"; return 1; }
	[ "$(versions "$db")" = 1,2 ]
}
check "[postgres] -- migc:lock-timeout off: the file waits for its lock even under --ddl-lock-timeout 200ms" t_file_lock_timeout_off

t_file_lock_timeout_notx() {
	db=$(newdb file_notx)
	build/migc up --to 2 --dir "$fdir" --database "$db" >/dev/null || return 1
	heldexpect "$db" 2 0 "applied 0003_z" build/migc up --dir "$fdir" --database "$db" &&
		grep -q "^retry 1 of 5 in [0-9]* ms: 0003_z.sql:3:1: ERROR: canceling statement due to lock timeout" "$tmp/expect.out" &&
		[ "$(versions "$db")" = 1,2,3 ]
}
check "[postgres] -- migc:lock-timeout in a no-transaction migration: the statement that timed out is retried" t_file_lock_timeout_notx

# Each file's value holds for its own statements: the next file (and a
# down file) runs with the run's, one migration per transaction or all in
# one; an embedded binary's records carry it as migc --dir reads it.
t_file_lock_timeout_scope() {
	d=$tmp/$B/filetimeoutscope
	show="DO \$\$ BEGIN RAISE NOTICE '% lock_timeout is %', current_setting('application_name'), current_setting('lock_timeout'); END \$\$;\n"
	rm -rf "$d"
	mig "$d" 0001_a.sql "-- migc:lock-timeout 200ms\nSET LOCAL application_name = 'a';\n$show"
	mig "$d" 0001_a.down.sql "-- migc:lock-timeout 3s\nSET LOCAL application_name = 'a down';\n$show"
	mig "$d" 0002_b.sql "SET LOCAL application_name = 'b';\n$show"
	mig "$d" 0002_b.down.sql "SET LOCAL application_name = 'b down';\n$show"
	mig "$d" 0003_c.sql "-- migc:lock-timeout off\nSET LOCAL application_name = 'c';\n$show"
	mig "$d" 0003_c.down.sql "SELECT 1;\n"
	embed filetimeoutscope "$d" || return 1
	for how in "build/migc up --dir $d" "build/migc up --single-transaction --dir $d" "$tmp/filetimeoutscope up"; do
		db=$(newdb file_scope)
		# shellcheck disable=SC2086
		expect 0 "a lock_timeout is 200ms" $how --ddl-lock-timeout 1s --database "$db" || return 1
		grep -q "b lock_timeout is 1s" "$tmp/expect.out" && grep -q "c lock_timeout is 0" "$tmp/expect.out" ||
			{ echo "$how: the next files do not run with their own lock timeouts"; return 1; }
	done
	expect 0 "a down lock_timeout is 3s" build/migc down --to 0 --ddl-lock-timeout 1s --dir "$d" --database "$db" || return 1
	grep -q "b down lock_timeout is 1s" "$tmp/expect.out" || { echo "the down file without the directive did not get the run's"; return 1; }
	db=$(newdb file_scope)
	expect 0 "a lock_timeout is 200ms" build/migc up --dir "$d" --database "$db" &&
		grep -q "b lock_timeout is 0" "$tmp/expect.out"
}
check "[postgres] -- migc:lock-timeout holds for its own file: the next migration, a down file and --single-transaction get their own" t_file_lock_timeout_scope
