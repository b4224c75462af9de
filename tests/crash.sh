# tests/crash.sh: crash safety, sourced by tests/run once per backend ($B).
# A set of 200 migrations (DDL and data in each, every tenth a
# no-transaction one, with a no-transaction down) is applied and reverted
# by a binary that is killed with SIGKILL at seeded random points of its
# run, $CRASH_KILLS times (default 100), each kill proven to have landed
# in the middle of the run (the process died by the signal after some of
# its migrations, a run that got to its end first does not count).
# After every kill: each transactional
# migration is applied and recorded together or not at all, the counter
# that each one bumps matches the rows, a no-transaction migration that
# reads as applied has its table and index, nothing is recorded as edited;
# `up --resume` (the documented recovery for an interrupted no-transaction
# migration) always gets on, and an interrupted no-transaction down is
# recovered as documented: finish it by hand, then repair --clear-failed.
# At the end the schema is the one an uninterrupted run builds, which the
# binary checks itself: verify --schema holds it to the build-time replay.
# On PostgreSQL the server itself is also crashed (pg_ctl stop -m
# immediate) in the middle of a run and restarted.

kills=${CRASH_KILLS:-100}
cdir=$tmp/$B/crashset
rm -rf "$cdir"
mkdir -p "$cdir"
awk -v d="$cdir" 'BEGIN {
	f = d "/0001_counter.sql"; print "CREATE TABLE counter (n INTEGER NOT NULL);\nINSERT INTO counter VALUES (0);" > f; close(f)
	f = d "/0001_counter.down.sql"; print "DROP TABLE counter;" > f; close(f)
	for (v = 2; v <= 200; v++) {
		up = sprintf("%s/%04d_t%d.sql", d, v, v); down = sprintf("%s/%04d_t%d.down.sql", d, v, v)
		if (v % 10 == 0) {
			# Idempotent statements: what a no-transaction migration should be made of.
			printf "-- migc:no-transaction\nCREATE TABLE IF NOT EXISTS t%d (x INTEGER PRIMARY KEY, y TEXT);\n", v > up
			printf "INSERT INTO t%d (x, y) VALUES (1, %s) ON CONFLICT DO NOTHING;\n", v, "'\''a'\''" > up
			printf "INSERT INTO t%d (x, y) VALUES (2, %s) ON CONFLICT DO NOTHING;\n", v, "'\''b'\''" > up
			printf "CREATE INDEX IF NOT EXISTS t%d_y ON t%d (y);\n", v, v > up
			printf "-- migc:no-transaction\nDROP INDEX IF EXISTS t%d_y;\nDROP TABLE IF EXISTS t%d;\n", v, v > down
		} else {
			printf "CREATE TABLE t%d (x INTEGER PRIMARY KEY, y TEXT);\n", v > up
			printf "INSERT INTO t%d (x, y) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) SELECT i, %s FROM n;\n", v, "'\''r'\''" > up
			printf "UPDATE counter SET n = n + 1;\n" > up
			printf "DROP TABLE t%d;\nUPDATE counter SET n = n - 1;\n", v > down
		}
		close(up); close(down)
	}
}'

# The binary, with the schema fingerprints of an uninterrupted replay.
if [ "$B" = sqlite ]; then
	build/migc gen --dialect sqlite --main -o "$tmp/crash-$B.c" "$cdir"
else
	build/migc gen --dialect postgres --main --replay-database "$PGURL" -o "$tmp/crash-$B.c" "$cdir"
fi
cbuild "$tmp/crash-$B" "$tmp/crash-$B.c"
cbin=$tmp/crash-$B
cdb=$(newdb crash)

# cviolations: what breaks the invariants now, as text ("" when none).
cviolations() {
	if [ "$B" = sqlite ]; then
		tbl="SELECT CAST(substr(name, 2) AS INTEGER) AS v FROM sqlite_schema WHERE type = 'table' AND name GLOB 't[0-9]*'"
		idx="SELECT CAST(substr(name, 2, length(name) - 3) AS INTEGER) AS v FROM sqlite_schema WHERE type = 'index' AND name GLOB 't[0-9]*_y'"
	else
		tbl="SELECT substr(tablename, 2)::bigint AS v FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+\$'"
		idx="SELECT substr(indexname, 2, length(indexname) - 3)::bigint AS v FROM pg_indexes WHERE schemaname = 'public' AND indexname ~ '^t[0-9]+_y\$'"
	fi
	have=",$(tables "$cdb"),"
	case $have in
	*,migc_migrations,*) ;;
	*)
		# Nothing recorded: no migration may have left a table.
		q "$cdb" "SELECT 'table without its row: ' || v FROM ($tbl) x WHERE v % 10 <> 0"
		return
		;;
	esac
	counter=
	case $have in
	*,counter,*) counter="UNION ALL SELECT 'counter ' || (SELECT n FROM counter) || ' for ' || count(*) || ' applied'
		FROM migc_migrations WHERE version % 10 <> 0 AND version > 1 HAVING count(*) <> (SELECT n FROM counter)" ;;
	esac
	q "$cdb" "SELECT 'applied without its table: ' || version FROM migc_migrations m
		WHERE version % 10 <> 0 AND version > 1 AND version NOT IN ($tbl)
	UNION ALL SELECT 'table without its row: ' || v FROM ($tbl) x
		WHERE v % 10 <> 0 AND v NOT IN (SELECT version FROM migc_migrations)
	$counter
	UNION ALL SELECT 'transactional migration recorded unfinished: ' || version FROM migc_migrations
		WHERE version % 10 <> 0 AND (statements_done <> statements_total OR error IS NOT NULL)
	UNION ALL SELECT 'no-transaction migration reads applied without its index: ' || version FROM migc_migrations
		WHERE version % 10 = 0 AND statements_done = statements_total AND error IS NULL AND version NOT IN ($idx)" 2>&1
	# Nothing may ever read as edited.
	"$cbin" verify --database "$cdb" 2>&1 | grep 'edited\|ahead'
}

# cprogress: what the tracking table records, as one line: rows,
# statements done, and the furthest error (a no-transaction down counts
# its statements there); "" while there is no table.
cprogress() {
	sql="SELECT count(*) || ':' || coalesce(sum(statements_done), 0) || ':' || coalesce(max(error), '') FROM migc_migrations"
	if [ "$B" = sqlite ]; then
		sqlite3 -cmd '.timeout 5000' "${cdb#sqlite:}" "$sql" 2>/dev/null
	else
		q "$cdb" "$sql" 2>/dev/null
	fi
}

# ckill: run the binary in the current direction and SIGKILL it once it
# has printed that it applied (or reverted) a seeded number of migrations,
# 1 to 10 but no more than are left, then a seeded pause of up to 8 ms, so
# kills fall in all migrations and at different points of one. (It flushes
# each line as its migration commits; reading the tracking table instead
# would wait for the migrator's lock.) Returns 0 when the kill landed in
# the middle of the run: the process died by the signal and the tracking
# table shows work done; 2 when the run did all it had left before the
# kill came (near the end of a direction; not counted as a kill); 1
# otherwise, saying why.
ckill() {
	before=$(cprogress)
	if [ $phase = up ]; then
		left=$((200 - $(q "$cdb" 'SELECT count(*) FROM migc_migrations WHERE statements_done = statements_total AND error IS NULL' 2>/dev/null || echo 0)))
	else
		left=$(q "$cdb" 'SELECT count(*) FROM migc_migrations' 2>/dev/null || echo 0)
	fi
	set -- $(awk -v s="$i" -v left="$left" 'BEGIN { srand(4242 + s); k = 1 + int(rand() * 10); if (k > left) k = left; printf "%d %.3f", k, rand() * 0.008 }')
	want=$1
	pause=$2
	: >"$tmp/crash.out"   # before the child opens it: the poll must not read the last run's lines
	if [ $phase = up ]; then
		"$cbin" up --resume --database "$cdb" >>"$tmp/crash.out" 2>&1 &
	else
		"$cbin" down --to 0 --database "$cdb" >>"$tmp/crash.out" 2>&1 &
	fi
	pid=$!
	tries=0
	until [ "$(grep -c '^applied \|^reverted ' "$tmp/crash.out")" -ge "$want" ]; do
		kill -0 $pid 2>/dev/null || break
		tries=$((tries + 1))
		[ $tries -lt 20000 ] || { kill -9 $pid; wait $pid; echo "the $phase run never got to its migration $want of $left"; return 1; }
	done
	sleep "$pause"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	st=$?
	if [ $st = 0 ]; then
		[ "$(grep -c '^applied \|^reverted ' "$tmp/crash.out")" = "$left" ] && return 2
		echo "the $phase run exited 0 without doing all of its $left migrations:"
		cat "$tmp/crash.out"
		return 1
	fi
	if [ $st != 137 ]; then
		echo "the $phase run exited $st before it was killed after $want of $left migrations:"
		cat "$tmp/crash.out"
		return 1
	fi
	[ "$(cprogress)" != "$before" ] || { echo "killed, but the $phase run had done nothing: $before"; return 1; }
}

t_crash() {
	i=0
	nkills=0
	phase=up
	nphase=0
	nrecovered=0
	nfinished=0
	while [ $nkills -lt "$kills" ]; do
		[ $i -lt $((kills * 2 + 50)) ] || { echo "only $nkills of $i kills landed in the middle of a run"; return 1; }
		ckill
		case $? in
		0) nkills=$((nkills + 1)) ;;
		2) nfinished=$((nfinished + 1)) ;;
		*) return 1 ;;
		esac
		bad=$(cviolations)
		if [ -n "$bad" ]; then
			echo "after kill $i ($phase, after $want of $left migrations +${pause}s): $bad"
			return 1
		fi
		# An interrupted no-transaction down: finish it by hand, clear its row.
		v=$(q "$cdb" "SELECT version FROM migc_migrations WHERE error LIKE 'down did not finish: %'" 2>/dev/null)
		if [ -n "$v" ]; then
			q "$cdb" "DROP TABLE IF EXISTS t$v" >/dev/null &&
				"$cbin" repair --clear-failed "$v" --database "$cdb" >/dev/null || { echo "cannot recover the down of $v"; return 1; }
			nrecovered=$((nrecovered + 1))
		fi
		# Switch direction once a direction has finished.
		n=$(q "$cdb" 'SELECT count(*) FROM migc_migrations' 2>/dev/null || echo 0)
		if [ $phase = up ] && [ "$n" = 200 ] && [ -z "$(q "$cdb" "SELECT 1 FROM migc_migrations WHERE statements_done <> statements_total LIMIT 1")" ]; then
			phase=down
			nphase=$((nphase + 1))
		elif [ $phase = down ] && [ "$n" = 0 ]; then
			phase=up
			nphase=$((nphase + 1))
		fi
		i=$((i + 1))
	done
	echo "$nkills kills in the middle of a run ($nfinished runs finished first), $nphase changes of direction, $nrecovered interrupted no-transaction downs recovered"
	# Recovery, then the schema of an uninterrupted run.
	"$cbin" up --resume --database "$cdb" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" "$cbin" verify --schema --database "$cdb" || return 1
	[ "$(q "$cdb" 'SELECT n FROM counter')" = 179 ] || return 1
	expect 0 "reverted 0001_counter" "$cbin" down --to 0 --database "$cdb" || return 1
	[ "$(tables "$cdb")" = migc_migrations ]
}
check "[$B] crash: $kills SIGKILLs during up and down of 200 migrations; every transactional one all-or-nothing" t_crash

t_pgcrash() {
	"$cbin" down --to 0 --database "$cdb" >/dev/null || return 1
	"$cbin" up --database "$cdb" >"$tmp/pgcrash.out" 2>&1 &
	pid=$!
	# Stop the server once the run is under way (20 of 200 applied), not
	# after a fixed pause that a fast run could outlast.
	tries=0
	until [ "$(q "$cdb" 'SELECT count(*) FROM migc_migrations' 2>/dev/null)" -ge 20 ] 2>/dev/null; do
		tries=$((tries + 1))
		[ $tries -lt 1000 ] || { echo "the run never reached 20 migrations"; wait $pid; return 1; }
		sleep 0.01
	done
	pgcrash
	wait $pid
	st=$?
	cat "$tmp/pgcrash.out"
	[ $st = 1 ] || { echo "up exited $st while the server died"; pgrestart; return 1; }
	grep -q "lost the connection to the PostgreSQL server\|server closed the connection\|terminating connection" "$tmp/pgcrash.out" || { pgrestart; return 1; }
	expect 1 "cannot connect to PostgreSQL" "$cbin" status --database "$cdb" || { pgrestart; return 1; }
	pgrestart || return 1
	# Some but not all of the run was done when the server died.
	n=$(q "$cdb" 'SELECT count(*) FROM migc_migrations')
	[ "$n" -ge 20 ] && [ "$n" -lt 200 ] || { echo "$n of 200 applied: the crash did not land in the middle of the run"; return 1; }
	bad=$(cviolations)
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	"$cbin" up --resume --database "$cdb" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" "$cbin" verify --schema --database "$cdb"
}
if [ "$B" = postgres ]; then
	check "[postgres] crash: the server dies mid-run (immediate stop): a clear error, then up completes after restart" t_pgcrash
fi

# A SIGKILL in the middle of a long transactional SQLite migration leaves
# a hot journal (DB-journal) behind. status and verify open the database
# for reading only: they must still roll the journal back (SQLite does so on
# the first read, given a connection that may write) and report the state
# before the interrupted migration; when this process may not write the
# file, they must say what to run instead, and change nothing.
hjdir=$tmp/$B/hot
hotjournal() {
	rm -rf "$hjdir"
	mkdir -p "$hjdir/m" "$hjdir/orig" "$hjdir/ro"
	mig "$hjdir/m" 0001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\nINSERT INTO a VALUES (1, 'one');\n"
	mig "$hjdir/m" 0002_long.sql "CREATE TABLE big (x BLOB);
INSERT INTO big SELECT randomblob(1000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n);
UPDATE a SET x = 'changed';
SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) SELECT i FROM n);\n"
	hj=$hjdir/orig/hot.db
	build/migc up --to 1 --dir "$hjdir/m" --database "sqlite:$hj" >/dev/null || return 1
	build/migc up --dir "$hjdir/m" --database "sqlite:$hj" >/dev/null 2>&1 &
	pid=$!
	# Kill it once the 20 MB insert has spilled into the file, in the
	# endless SELECT after it.
	tries=0
	until [ -s "$hj-journal" ] && [ "$(stat -c %s "$hj")" -gt 15000000 ]; do
		tries=$((tries + 1))
		[ $tries -lt 600 ] || { echo "the migration never got under way"; kill -9 $pid; return 1; }
		sleep 0.05
	done
	sleep 0.2
	kill -9 $pid
	wait $pid 2>/dev/null
	st=$?
	[ $st = 137 ] || { echo "up exited $st before it was killed"; return 1; }
	[ -s "$hj-journal" ] || { echo "no hot journal was left behind"; return 1; }
}

# hjcopy NAME: a copy of the crashed database and its journal as $hjdir/NAME.db.
hjcopy() {
	cp "$hjdir/orig/hot.db" "$hjdir/$1.db" && cp "$hjdir/orig/hot.db-journal" "$hjdir/$1.db-journal"
}

# hjintact DB: the state before the interrupted migration, journal gone.
hjintact() {
	[ ! -e "$1-journal" ] || { echo "the journal is still there"; return 1; }
	[ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] || return 1
	[ "$(sqlite3 "$1" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)")" = a,migc_migrations ] || return 1
	[ "$(sqlite3 "$1" 'SELECT x FROM a')" = one ] || return 1
	[ "$(versions "sqlite:$1")" = 1 ]
}

t_hotjournal() {
	hotjournal && hjcopy s && hjcopy v || return 1
	expect 0 "1 applied, 1 pending" build/migc status --dir "$hjdir/m" --database "sqlite:$hjdir/s.db" || return 1
	grep -q "^2  *pending  *0002_long" "$tmp/expect.out" || { echo "0002_long is not pending"; return 1; }
	hjintact "$hjdir/s.db" || return 1
	expect 0 "ok: 1 applied migrations match this binary, 1 pending" \
		build/migc verify --dir "$hjdir/m" --database "sqlite:$hjdir/v.db" || return 1
	hjintact "$hjdir/v.db"
}

t_hotjournal_readonly() {
	ro=$hjdir/ro
	[ -s "$hjdir/orig/hot.db-journal" ] || { echo "no crashed database to copy"; return 1; }
	cp "$hjdir/orig/hot.db" "$hjdir/orig/hot.db-journal" "$ro/" || return 1
	chmod o+x "$tmp" "$tmp/$B" "$hjdir"
	chmod 755 "$hjdir/m"
	chmod 444 "$ro/hot.db" "$ro/hot.db-journal"
	chmod 555 "$ro"
	expect 1 "run status (or any migc command) once as a user who may write $ro/hot.db and its directory" \
		asnobody build/migc status --dir "$hjdir/m" --database "sqlite:$ro/hot.db"
	st=$?
	chmod 755 "$ro"
	chmod 644 "$ro/hot.db" "$ro/hot.db-journal"
	[ $st = 0 ] || return 1
	cmp "$ro/hot.db" "$hjdir/orig/hot.db" && cmp "$ro/hot.db-journal" "$hjdir/orig/hot.db-journal" || return 1
	expect 0 "1 applied, 1 pending" build/migc status --dir "$hjdir/m" --database "sqlite:$ro/hot.db" &&
		hjintact "$ro/hot.db"
}

if [ "$B" = sqlite ]; then
	check "[sqlite] crash: after a SIGKILL leaves a hot journal, status and verify roll it back and report the state" t_hotjournal
	check "[sqlite] crash: a hot journal this user cannot roll back: status says what to run and changes nothing" t_hotjournal_readonly
fi
