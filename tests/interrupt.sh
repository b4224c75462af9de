# tests/interrupt.sh: SIGINT and SIGTERM (a deploy cancelled, a pod
# stopped) during a migration, on one database ($B), sourced by tests/run.
# The running statement is cancelled at once, the migration rolled back,
# the migration lock released and the connection closed; migc exits 130 or
# 143 naming what was rolled back, and nothing commits later. On
# PostgreSQL the migration waits behind an application session that holds
# a lock on its table for 30 s: migc must be gone while that session still
# holds it. On SQLite the statement is a long CREATE TABLE ... AS.
#
# env --default-signal: a shell starts background commands with SIGINT
# ignored, and migc keeps an ignored signal ignored.

idir=$tmp/$B/interrupt
rm -rf "$idir"
mig "$idir" 0001_t.sql "CREATE TABLE t (x integer);\n"
if [ "$B" = postgres ]; then
	mig "$idir" 0002_y.sql "ALTER TABLE t ADD COLUMN y integer;\n"
else
	mig "$idir" 0002_y.sql "CREATE TABLE big AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 2000000000) SELECT x FROM c;\n"
fi

# started DB: the second migration's statement is running (PostgreSQL:
# waiting for the application's lock; SQLite: writing), within 20 s.
started() {
	if [ "$B" = postgres ]; then
		waitfor "the migration's wait for its lock" qis "$1" \
			"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migc' AND wait_event_type = 'Lock'" 1
	else
		waitfor "the migration's first write" test -e "${1#sqlite:}-journal" && sleep 0.3
	fi
}

# signalled SIG DIR DB: start up of DIR on DB (its output in
# $tmp/interrupt.out), send it SIG once its statement runs (started), and
# check that it exits with 128 + SIG's number (stopped).
signalled() {
	env --default-signal=INT,TERM build/migc up --dir "$2" --database "$3" >"$tmp/interrupt.out" 2>&1 &
	pid=$!
	started "$3" || { kill -KILL $pid ${holder:-}; return 1; }
	kill -"$1" $pid
	stopped $pid "$1"
}

# stopped PID SIG: wait (at most 20 s) for PID, which got SIG, to exit
# with 128 + SIG's number.
stopped() {
	n=0
	while kill -0 "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 200 ] || { kill -KILL "$1"; echo "still running 20 s after SIG$2"; return 1; }
		sleep 0.1
	done
	wait "$1"
	st=$?
	want=143
	[ "$2" = TERM ] || want=130
	[ "$st" -eq "$want" ] || { echo "exit status $st after SIG$2, expected $want"; return 1; }
}

t_interrupt() {
	for sig in INT TERM; do
		db=$(newdb "interrupt_$sig")
		build/migc up --to 1 --dir "$idir" --database "$db" >/dev/null || return 1
		holder=
		if [ "$B" = postgres ]; then
			holdtable "$db" "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT pg_sleep(30); COMMIT" || return 1
		fi
		signalled $sig "$idir" "$db" || return 1
		cat "$tmp/interrupt.out"
		if [ "$B" = postgres ]; then
			kill -0 "$holder" 2>/dev/null || { echo "the application's session ended first: nothing was shown"; return 1; }
			left=$(q "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migc'")
			[ "$left" = 0 ] || { echo "migc's server session is still there ($left)"; return 1; }
			left=$(q "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
			[ "$left" = 0 ] || { echo "the migration lock is still held"; return 1; }
			q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
			wait "$holder"
			sleep 0.5
			[ "$(q "$db" "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'y'")" = 0 ] ||
				{ echo "the cancelled ALTER TABLE committed later"; return 1; }
		else
			[ ! -e "${db#sqlite:}-journal" ] || { echo "a journal is left"; return 1; }
			[ "$(tables "$db")" = migc_migrations,t ] || { echo "tables: $(tables "$db")"; return 1; }
		fi
		[ "$(versions "$db")" = 1 ] || { echo "recorded: $(versions "$db")"; return 1; }
		grep -q "^migc: SIG$sig: interrupted: 0002_y.sql was rolled back (0 applied before it in this run)" "$tmp/interrupt.out" ||
			{ echo "no line saying what was rolled back"; return 1; }
		# Once the application is gone, the same up applies it.
		if [ "$B" = postgres ]; then
			expect 0 "applied 0002_y" build/migc up --dir "$idir" --database "$db" || return 1
		fi
	done
}
check "[$B] interrupt: SIGINT and SIGTERM cancel the running statement, roll the migration back, release the lock and exit 130/143" t_interrupt

# A CREATE INDEX CONCURRENTLY waiting for an application's transaction on
# its table leaves an invalid index when stopped: the message says so and
# names the DROP INDEX to run, and so does up --resume until it is run.
if [ "$B" = postgres ]; then
	cdir=$tmp/$B/interrupt-cic
	rm -rf "$cdir"
	mig "$cdir" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$cdir" 0002_idx.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);\n"
	drophint="CREATE INDEX CONCURRENTLY left the invalid index public.t_x behind: run DROP INDEX CONCURRENTLY public.t_x; then run up --resume"

	t_interrupt_cic() {
		for sig in INT TERM; do
			db=$(newdb "interrupt_cic_$sig")
			build/migc up --to 1 --dir "$cdir" --database "$db" >/dev/null || return 1
			holdtable "$db" "BEGIN; INSERT INTO t VALUES (1); SELECT pg_sleep(30); COMMIT" || return 1
			signalled $sig "$cdir" "$db" || return 1
			cat "$tmp/interrupt.out"
			kill -0 "$holder" 2>/dev/null || { echo "the application's transaction ended first: nothing was shown"; return 1; }
			[ "$(q "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migc'")" = 0 ] ||
				{ echo "migc's server session is still there"; return 1; }
			grep -q "^migc: SIG$sig: interrupted: 0002_idx.sql (no-transaction) stopped at the statement below and is recorded as failed" \
				"$tmp/interrupt.out" || { echo "no line saying what stopped"; return 1; }
			grep -qF "$drophint" "$tmp/interrupt.out" || { echo "no hint naming the DROP INDEX"; return 1; }
			[ "$(q "$db" "SELECT count(*) FROM pg_index WHERE indexrelid = 'public.t_x'::regclass AND NOT indisvalid")" = 1 ] ||
				{ echo "no invalid index: the cancel came too late to show anything"; return 1; }
			q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
			wait "$holder"
			expect 1 "$drophint" build/migc up --resume --dir "$cdir" --database "$db" || return 1
			grep -q "already exists" "$tmp/expect.out" || return 1
			q "$db" "DROP INDEX CONCURRENTLY public.t_x" || return 1
			expect 0 "applied 0002_idx" build/migc up --resume --dir "$cdir" --database "$db" || return 1
			[ "$(q "$db" "SELECT count(*) FROM pg_index WHERE indexrelid = 'public.t_x'::regclass AND indisvalid")" = 1 ] || return 1
		done
	}
	check "[postgres] interrupt: a stopped CREATE INDEX CONCURRENTLY names the invalid index and its DROP INDEX, also on up --resume" t_interrupt_cic
fi

# A no-transaction migration of many short statements stops between two
# of them (a cancel that comes between statements finds nothing to
# cancel), recorded as failed where it stopped; up --resume runs the rest
# once, and each statement's row is there once.
ndir=$tmp/$B/interrupt-notx
rm -rf "$ndir"
mig "$ndir" 0001_t.sql "CREATE TABLE n (x integer);\n"
nfill=3000
# Each statement does some work (more on SQLite, whose static build runs
# short statements faster than the test can see them start).
nwork=$([ "$B" = sqlite ] && echo 20000 || echo 300)
awk -v f="$ndir/0002_fill.sql" -v n=$nfill -v w=$nwork 'BEGIN {
	print "-- migc:no-transaction" > f
	for (i = 1; i <= n; i++)
		printf "INSERT INTO n SELECT %d FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d) SELECT count(*) AS k FROM c) w WHERE k > 0;\n", i, w > f
}'
t_interrupt_notx() {
	db=$(newdb interrupt_notx)
	build/migc up --to 1 --dir "$ndir" --database "$db" >/dev/null || return 1
	env --default-signal=INT,TERM build/migc up --dir "$ndir" --database "$db" >"$tmp/interrupt.out" 2>&1 &
	pid=$!
	waitfor "the hundredth statement" qis "$db" "SELECT CASE WHEN count(*) >= 100 THEN 1 ELSE 0 END FROM n" 1 ||
		{ kill -KILL $pid; return 1; }
	kill -INT $pid
	stopped $pid INT || return 1
	cat "$tmp/interrupt.out"
	grep -q "^migc: SIGINT: interrupted: 0002_fill.sql (no-transaction) stopped at the statement below and is recorded as failed" \
		"$tmp/interrupt.out" || return 1
	done=$(q "$db" "SELECT statements_done FROM migc_migrations WHERE version = 2")
	[ "$done" -lt $nfill ] && [ "$(q "$db" "SELECT count(*) FROM n")" = "$done" ] ||
		{ echo "$done statements recorded, $(q "$db" "SELECT count(*) FROM n") rows"; return 1; }
	expect 0 "applied 0002_fill" build/migc up --resume --dir "$ndir" --database "$db" || return 1
	[ "$(q "$db" "SELECT count(*) || ' ' || count(DISTINCT x) FROM n")" = "$nfill $nfill" ]
}
check "[$B] interrupt: a no-transaction migration of short statements stops between two, recorded where; --resume runs the rest once" t_interrupt_notx

# adopt stopped while it waits: on SQLite for the migration lock, which an
# application's write transaction holds (for 30 s); on PostgreSQL for
# goose's table, which an application's session has locked. adopt must
# stop at once (before the application lets go), record nothing, and
# release what it held; once the application is gone, adopt records it all.
t_interrupt_adopt() {
	for sig in INT TERM; do
		db=$(newdb "interrupt_adopt_$sig")
		gooseset "$db" >/dev/null || return 1
		if [ "$B" = postgres ]; then
			"$PGBIN/psql" -X -q -d "$db" -c "BEGIN; LOCK TABLE goose_db_version; SELECT pg_sleep(30); COMMIT" >/dev/null 2>&1 &
			holder=$!
			waitfor "the application's lock on goose_db_version" qis "$db" "SELECT count(*) FROM pg_locks l JOIN pg_class c
				ON c.oid = l.relation WHERE c.relname = 'goose_db_version' AND l.granted AND l.mode = 'AccessExclusiveLock'" 1 ||
				return 1
		else
			(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 30; printf 'COMMIT;\n') | sqlite3 "${db#sqlite:}" >"$tmp/holder.out" &
			holder=$!
			waitfor "the application's write transaction" grep -q 1 "$tmp/holder.out" || return 1
		fi
		env --default-signal=INT,TERM build/migc adopt --from goose --dir "$base" --database "$db" >"$tmp/interrupt.out" 2>&1 &
		pid=$!
		if [ "$B" = postgres ]; then
			started "$db" || { kill -KILL $pid; return 1; }
		else
			sleep 1   # in SQLite's busy wait: nothing outside shows it
		fi
		kill -"$sig" $pid
		stopped $pid "$sig" || return 1
		cat "$tmp/interrupt.out"
		kill -0 "$holder" 2>/dev/null || { echo "the application let go first: the stop waited for it"; return 1; }
		grep -q "^migc: SIG$sig: interrupted" "$tmp/interrupt.out" && grep -q "nothing was adopted" "$tmp/interrupt.out" ||
			{ echo "no line saying that nothing was adopted"; return 1; }
		if [ "$B" = postgres ]; then
			[ "$(q "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migc'")" = 0 ] ||
				{ echo "migc's server session is still there"; return 1; }
			[ "$(q "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] ||
				{ echo "the migration lock is still held"; return 1; }
			q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
		else
			pkill -P "$holder" sleep
		fi
		wait "$holder"
		[ "$(q "$db" "SELECT count(*) FROM $(pick sqlite_schema pg_tables) WHERE $(pick name tablename) = 'migc_migrations'")" = 0 ] ||
			[ "$(versions "$db")" = "" ] || { echo "recorded: $(versions "$db")"; return 1; }
		expect 0 "adopted 0002_b (applied by goose)" build/migc adopt --from goose --dir "$base" --database "$db" || return 1
	done
}
check "[$B] interrupt: SIGINT and SIGTERM stop an adopt waiting for a lock at once: nothing adopted, nothing held; adopt later records it all" t_interrupt_adopt

# up stopped while it waits for the migration lock, which (SQLite) an
# application's write transaction or (PostgreSQL) another migc's slow
# migration holds for 30 s: it stops at once, saying so, and applies
# nothing. (On SQLite the wait is SQLite's busy handler, which
# sqlite3_interrupt does not end: migc's own gives up.)
t_interrupt_lockwait() {
	wdir=$tmp/$B/interrupt-wait
	rm -rf "$wdir"
	mig "$wdir" 0001_slow.sql "$(pick "CREATE TABLE slow (x INTEGER);" "SELECT pg_sleep(30);")\n"
	mig "$wdir" 0002_t.sql "CREATE TABLE t (x integer);\n"
	for sig in INT TERM; do
		db=$(newdb "interrupt_wait_$sig")
		if [ "$B" = postgres ]; then
			build/migc up --dir "$wdir" --database "$db" >/dev/null 2>&1 &
			holder=$!
			waitfor "the other migc's pg_sleep" qis "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%'
				AND state = 'active' AND pid <> pg_backend_pid()" 1 || return 1
		else
			sqlite3 "${db#sqlite:}" 'SELECT 1' >/dev/null
			(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 30; printf 'COMMIT;\n') | sqlite3 "${db#sqlite:}" >"$tmp/holder.out" &
			holder=$!
			waitfor "the application's write transaction" grep -q 1 "$tmp/holder.out" || return 1
		fi
		env --default-signal=INT,TERM build/migc up --dir "$wdir" --database "$db" >"$tmp/interrupt.out" 2>&1 &
		pid=$!
		sleep 1
		kill -"$sig" $pid
		stopped $pid "$sig" || return 1
		cat "$tmp/interrupt.out"
		kill -0 "$holder" 2>/dev/null || { echo "the lock's holder let go first: the stop waited for it"; return 1; }
		grep -q "^migc: SIG$sig: interrupted while waiting for the" "$tmp/interrupt.out" ||
			{ echo "no line saying that it stopped waiting for the lock"; return 1; }
		if [ "$B" = postgres ]; then
			q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
			wait "$holder" || :   # the holder fails: its session was ended
			[ "$(versions "$db")" = "" ] || { echo "recorded: $(versions "$db")"; return 1; }
		else
			pkill -P "$holder" sleep
			wait "$holder"
			[ "$(tables "$db")" = "" ] || { echo "tables: $(tables "$db")"; return 1; }
		fi
	done
}
check "[$B] interrupt: SIGINT and SIGTERM stop an up waiting for the migration lock at once, applying nothing" t_interrupt_lockwait

# up stopped while its check for another tool's table waits for that
# table's lock (PostgreSQL: the read is cancelled): a cancelled read tells
# nothing, so up stops there, applying nothing, and does not take the
# database for one without another tool's table.
if [ "$B" = postgres ]; then
	t_interrupt_othertool() {
		db=$(newdb interrupt_othertool)
		gooseset "$db" >/dev/null || return 1
		"$PGBIN/psql" -X -q -d "$db" -c "BEGIN; LOCK TABLE goose_db_version; SELECT pg_sleep(30); COMMIT" >/dev/null 2>&1 &
		holder=$!
		waitfor "the application's lock on goose_db_version" qis "$db" "SELECT count(*) FROM pg_locks l JOIN pg_class c
			ON c.oid = l.relation WHERE c.relname = 'goose_db_version' AND l.granted AND l.mode = 'AccessExclusiveLock'" 1 ||
			return 1
		mig "$tmp/$B/othertool" 0003_c.sql "CREATE TABLE c (x integer);\n"
		cp "$base"/*.sql "$tmp/$B/othertool/"
		env --default-signal=INT,TERM build/migc up --dir "$tmp/$B/othertool" --database "$db" >"$tmp/interrupt.out" 2>&1 &
		pid=$!
		started "$db" || { kill -KILL $pid; return 1; }
		kill -TERM $pid
		stopped $pid TERM || return 1
		cat "$tmp/interrupt.out"
		q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
		wait "$holder" || :   # its session was ended
		grep -q "^migc: SIGTERM: interrupted while reading the other migration tools' tables" "$tmp/interrupt.out" ||
			{ echo "no line saying where it stopped"; return 1; }
		! grep -q '^applied' "$tmp/interrupt.out" || { echo "a migration ran after the signal"; return 1; }
		[ "$(q "$db" "SELECT count(*) FROM pg_tables WHERE tablename = 'c'")" = 0 ] || { echo "0003 ran"; return 1; }
		expect 3 "adopt --from goose" build/migc up --dir "$tmp/$B/othertool" --database "$db"
	}
	check "[postgres] interrupt: SIGTERM while up reads another tool's locked table stops there: nothing applied, no wrong conclusion" t_interrupt_othertool
fi
