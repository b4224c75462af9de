# tests/pooler.sh: migc through a real PgBouncer (tests/pg.sh pgbstart)
# in transaction pooling mode, in front of the suite's server, with other
# clients sharing its few server connections; sourced by tests/run with
# B=postgres. Through such a pooler a session is only a transaction long:
# status and verify must leave no read-only setting behind for the next
# client of their server connection, up must serialise on a lock held by
# each migration's transaction (a session-level lock stays on a server
# connection another client then uses), a no-transaction migration, which
# needs one session throughout, is refused before anything runs, and no
# prepared statement outlives its transaction. POOLER_RACERS (default 16)
# sizes the race: `ninja stress` runs 64.

pdir=$tmp/pooler
racers=${POOLER_RACERS:-16}
rm -rf "$pdir"
mig "$pdir/set" 0001_t.sql "CREATE TABLE t (x integer);\n"
mig "$pdir/set" 0002_log.sql "CREATE TABLE applied (version integer, pid integer);\n"
v=3
while [ $v -le 12 ]; do
	mig "$pdir/set" "$(printf %04d $v)_m$v.sql" \
		"CREATE TABLE m$v (x integer);\nINSERT INTO applied VALUES ($v, pg_backend_pid());\nSELECT pg_sleep(0.05);\n"
	v=$((v + 1))
done
mig "$pdir/notx" 0001_t.sql "CREATE TABLE t (x integer);\n"
mig "$pdir/notx" 0002_i.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);\n"
mig "$pdir/notx" 0002_i.down.sql "-- migc:no-transaction\nDROP INDEX CONCURRENTLY t_x;\n"
mig "$pdir/notx" 0003_u.sql "CREATE TABLE u (x integer);\n"
mig "$pdir/notx" 0003_u.down.sql "DROP TABLE u;\n"

# pooled DB: the URL of database DB through the pooler.
pooled() {
	echo "postgres://migc@127.0.0.1:$PGBPORT/$1?sslmode=disable"
}

t_pooler_start() {
	pgbstart transaction 1
}

# With one server connection, the client after status and verify gets
# the server connection they used.
t_pooler_readonly() {
	db=$(newdb pooler_ro)
	pdb=$(pooled pooler_ro)
	build/migc up --dir "$pdir/set" --database "$pdb" >/dev/null || return 1
	expect 0 "12 applied, 0 pending" build/migc status --dir "$pdir/set" --database "$pdb" || return 1
	expect 0 "" build/migc verify --dir "$pdir/set" --database "$pdb" || return 1
	expect 0 "" build/migc verify --schema --dir "$pdir/set" --database "$pdb" || return 1
	expect 0 "off" q "$pdb" "SHOW transaction_read_only" || return 1
	q "$pdb" "INSERT INTO t VALUES (1)" || return 1
	n=$(q "$db" "SELECT count(*) FROM t")
	[ "$n" = 1 ] || { echo "t holds $n rows, not 1"; return 1; }
}

t_pooler_notx() {
	db=$(newdb pooler_notx)
	pdb=$(pooled pooler_notx)
	before=$(dump "$db")
	expect 1 "Nothing was applied: connect to the server directly" build/migc up --dir "$pdir/notx" --database "$pdb" || return 1
	grep -q "PgBouncer" "$tmp/expect.out" || { echo "the refusal does not name PgBouncer"; return 1; }
	[ "$(dump "$db")" = "$before" ] || { echo "the database changed"; return 1; }
	# Directly, it applies.
	expect 0 "applied 0003_u" build/migc up --dir "$pdir/notx" --database "$db"
}

# A no-transaction repeatable migration is refused through the pooler as
# a no-transaction versioned one is, before anything runs; a transactional
# one runs.
t_pooler_repeatable() {
	db=$(newdb pooler_rep)
	pdb=$(pooled pooler_rep)
	mig "$pdir/rep" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$pdir/rep" R__idx.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_x ON t (x);\n"
	before=$(dump "$db")
	expect 1 "R__idx.sql is a no-transaction migration" build/migc up --dir "$pdir/rep" --database "$pdb" || return 1
	grep -q "Nothing was applied" "$tmp/expect.out" || return 1
	[ "$(dump "$db")" = "$before" ] || { echo "the database changed"; return 1; }
	rm "$pdir/rep/R__idx.sql"
	mig "$pdir/rep" R__view.sql "CREATE OR REPLACE VIEW v AS SELECT x FROM t;\n"
	expect 0 "applied R__view" build/migc up --dir "$pdir/rep" --database "$pdb" || return 1
	expect 0 "nothing to apply" build/migc up --dir "$pdir/rep" --database "$pdb"
}

t_pooler_down() {
	db=$(newdb pooler_down)
	pdb=$(pooled pooler_down)
	build/migc up --dir "$pdir/notx" --database "$db" >/dev/null || return 1
	expect 0 "reverted 0003_u" build/migc down --dir "$pdir/notx" --database "$pdb" || return 1
	before=$(dump "$db")
	expect 1 "0002_i.down.sql is a no-transaction migration, which needs one server session" build/migc down --dir "$pdir/notx" --database "$pdb" || return 1
	[ "$(dump "$db")" = "$before" ] || { echo "the database changed"; return 1; }
}

# A LATIN1 database through the pooler: each migration's session reset
# (RESET ALL) must not give the client the server session's encoding,
# which libpq then takes for the connection's: 'café' of the second and
# third migration would arrive as 'cafÃ©'.
t_pooler_encoding() {
	"$PGBIN/psql" -X -q -d "$PGKW" -c "DROP DATABASE IF EXISTS pooler_latin1 WITH (FORCE)" \
		-c "CREATE DATABASE pooler_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" || return 1
	db="postgres://migc@127.0.0.1:$PGPORT/pooler_latin1?sslmode=disable"
	pdb=$(pooled pooler_latin1)
	mig "$pdir/latin1" 0001_w.sql "CREATE TABLE w (v integer, s text);\n"
	mig "$pdir/latin1" 0002_a.sql "INSERT INTO w VALUES (2, 'caf\303\251');\n"
	mig "$pdir/latin1" 0003_b.sql "INSERT INTO w VALUES (3, 'caf\303\251');\n"
	build/migc up --dir "$pdir/latin1" --database "$pdb" || return 1
	got=$(q "$db" "SELECT string_agg(v || ':' || length(s), ',' ORDER BY v) FROM w")
	[ "$got" = "2:4,3:4" ] || { echo "the lengths of 'café' are $got, not 2:4,3:4"; return 1; }
}

# redo of a migration whose down is transactional but whose up is not:
# refused before the down runs, not after.
t_pooler_redo() {
	db=$(newdb pooler_redo)
	pdb=$(pooled pooler_redo)
	mig "$pdir/redo" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$pdir/redo" 0002_i.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);\n"
	mig "$pdir/redo" 0002_i.down.sql "DROP INDEX t_x;\n"
	build/migc up --dir "$pdir/redo" --database "$db" >/dev/null || return 1
	before=$(dump "$db")
	expect 1 "0002_i.sql is a no-transaction migration" build/migc redo --dir "$pdir/redo" --database "$pdb" || return 1
	grep -q "Nothing was reverted" "$tmp/expect.out" || return 1
	[ "$(dump "$db")" = "$before" ] || { echo "the database changed"; return 1; }
}

# A migration that PREPAREs leaves nothing prepared on the server
# connection; and migc itself prepares nothing by name.
t_pooler_prepared() {
	db=$(newdb pooler_prep)
	pdb=$(pooled pooler_prep)
	mig "$pdir/prep" 0001_p.sql "CREATE TABLE p (x integer);\nPREPARE ins AS INSERT INTO p VALUES (\$1);\nEXECUTE ins(1);\n"
	build/migc up --dir "$pdir/prep" --database "$pdb" >/dev/null || return 1
	expect 0 "0" q "$pdb" "SELECT count(*) FROM pg_prepared_statements" || return 1
	[ "$(cat "$tmp/expect.out")" = 0 ] || return 1
	if nm build/libmigc.a 2>/dev/null | grep -E ' U (PQprepare|PQsendPrepare|PQexecPrepared|PQsendQueryPrepared)$'; then
		echo "libmigc.a uses a named prepared statement"
		return 1
	fi
}

# With --ddl-lock-timeout, a statement waiting for a lock has its blocker
# looked up on a second connection: through the pooler that connection
# would wait for a server session (both are taken: the application's and
# the migration's), so the run would stall until the application let go.
# It is not made: the run gives up while the application still holds t.
t_pooler_blocker() {
	db=$(newdb pooler_block)
	pdb=$(pooled pooler_block)
	mig "$pdir/block" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$pdir/block" 0002_y.sql "ALTER TABLE t ADD COLUMN y integer;\n"
	build/migc up --to 1 --dir "$pdir/block" --database "$db" >/dev/null || return 1
	holdtable "$pdb" "BEGIN; LOCK TABLE t IN ACCESS SHARE MODE; SELECT pg_sleep(20); COMMIT" AccessShareLock || return 1
	expect 1 "canceling statement due to lock timeout" build/migc up --ddl-lock-timeout 300ms --ddl-retries 1 \
		--dir "$pdir/block" --database "$pdb"
	st=$?
	kill -0 $holder 2>/dev/null
	held=$?
	kill $holder 2>/dev/null
	wait $holder
	[ $st = 0 ] || return 1
	[ $held = 0 ] || { echo "up ended only after the application's session"; return 1; }
	[ "$(versions "$db")" = 1 ]
}

# A retry through the pooler, where the run holds no session lock, takes
# the lock and reads the table again: another migrator may have applied
# the migration while it waited. A (a 200 ms lock timeout) loses its wait
# for t, which an application holds for 3 s; B comes in during A's
# backoff, takes the migration lock and waits for t itself; when the
# application lets go, B applies, and A's retry finds nothing to do.
t_pooler_retry() {
	db=$(newdb pooler_retry)
	pdb=$(pooled pooler_retry)
	mig "$pdir/bump" 0001_t.sql "CREATE TABLE t (x integer);\nINSERT INTO t VALUES (0);\n"
	mig "$pdir/bump" 0002_bump.sql "UPDATE t SET x = x + 1;\n"
	build/migc up --to 1 --dir "$pdir/bump" --database "$db" >/dev/null || return 1
	holdtable "$db" "BEGIN; LOCK TABLE t IN SHARE MODE; SELECT pg_sleep(3); COMMIT" ShareLock || return 1
	build/migc up --ddl-lock-timeout 200ms --ddl-retries 20 --dir "$pdir/bump" --database "$pdb" >"$pdir/retry.a" 2>&1 &
	a=$!
	waitfor "A's first retry" grep -q "^retry 1 of 20" "$pdir/retry.a" || { kill $a; return 1; }
	build/migc up --dir "$pdir/bump" --database "$pdb" >"$pdir/retry.b" 2>&1 &
	b=$!
	wait $a
	sta=$?
	wait $b
	stb=$?
	wait $holder
	cat "$pdir/retry.a" "$pdir/retry.b"
	[ $sta = 0 ] && [ $stb = 0 ] || { echo "A exited $sta, B $stb"; return 1; }
	x=$(q "$db" "SELECT x FROM t")
	[ "$x" = 1 ] || { echo "0002_bump ran $x times"; return 1; }
	[ "$(versions "$db")" = 1,2 ]
}

# A deploy cancelled through the pooler: SIGINT cancels the running
# statement (PgBouncer passes libpq's cancel request on to the server
# session the statement runs on), up exits 130, and nothing of the
# migration stays.
t_pooler_interrupt() {
	db=$(newdb pooler_int)
	pdb=$(pooled pooler_int)
	mig "$pdir/slow" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$pdir/slow" 0002_slow.sql "CREATE TABLE s (x integer);\nSELECT pg_sleep(30);\n"
	build/migc up --to 1 --dir "$pdir/slow" --database "$db" >/dev/null || return 1
	env --default-signal=INT build/migc up --dir "$pdir/slow" --database "$pdb" >"$pdir/int.out" 2>&1 &
	pid=$!
	waitfor "the migration's pg_sleep" qis "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%'
		AND state = 'active' AND pid <> pg_backend_pid()" 1 || { kill -KILL $pid; return 1; }
	kill -INT $pid
	wait $pid
	st=$?
	cat "$pdir/int.out"
	[ $st = 130 ] || { echo "exit status $st after SIGINT, expected 130"; return 1; }
	grep -q "0002_slow.sql was rolled back" "$pdir/int.out" || return 1
	qis "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active'
		AND pid <> pg_backend_pid()" 0 || { echo "the statement still runs on the server"; return 1; }
	[ "$(versions "$db")" = 1 ] && [ "$(tables "$db")" = "migc_migrations,t" ]
}

# adopt through the pooler: a dry run, then racers that each try to adopt
# the same goose database, sharing the pool's server connections with
# status runs. The migration lock is the transaction's, so exactly one
# records goose's versions and the others find them recorded and refuse
# (exit 2); then up applies only what is newer.
t_pooler_adopt() {
	db=$(newdb pooler_adopt)
	pdb=$(pooled pooler_adopt)
	gooseset "$db" >/dev/null || return 1
	mig "$pdir/adopt" 0001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\n"
	mig "$pdir/adopt" 0002_b.sql "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO b VALUES (1);\n"
	mig "$pdir/adopt" 0003_c.sql "CREATE TABLE c (x integer);\n"
	expect 0 "would adopt 0002_b (applied by goose)" build/migc adopt --from goose --dry-run --dir "$pdir/adopt" --database "$pdb" ||
		return 1
	rm -f "$pdir"/adopt.*
	i=1
	while [ $i -le 8 ]; do
		build/migc adopt --from goose --dir "$pdir/adopt" --database "$pdb" >"$pdir/adopt.$i" 2>&1 &
		eval "adopter$i=\$!"
		build/migc status --dir "$pdir/adopt" --database "$pdb" >/dev/null 2>&1 &
		i=$((i + 1))
	done
	ok=0 refused=0
	i=1
	while [ $i -le 8 ]; do
		eval "wait \$adopter$i"
		case $? in
		0) ok=$((ok + 1)) ;;
		2) grep -q "migc has recorded nothing" "$pdir/adopt.$i" && refused=$((refused + 1)) ;;
		*) echo "adopter $i:"; cat "$pdir/adopt.$i" ;;
		esac
		i=$((i + 1))
	done
	wait
	[ $ok = 1 ] && [ $refused = 7 ] || { echo "$ok adopted, $refused refused, of 8"; return 1; }
	[ "$(versions "$db")" = 1,2 ] || { echo "recorded: $(versions "$db")"; return 1; }
	[ "$(q "$db" "SELECT count(*) FROM migc_migrations WHERE done_checksum = 'adopted:goose'")" = 2 ] || return 1
	expect 0 "applied 0003_c" build/migc up --dir "$pdir/adopt" --database "$pdb" || return 1
	! grep -q "applied 000[12]" "$tmp/expect.out" || { echo "up ran an adopted migration"; return 1; }
	[ "$(q "$db" "SELECT count(*) FROM goose_db_version")" = 3 ] || { echo "goose's table changed"; return 1; }
}

# A failed migration's PREPARE, which its rollback keeps, goes with the
# reset that follows the rollback: in the same message, so on the same
# server session. Here PgBouncer hands out its three server sessions in
# turn (server_round_robin), so the reset sent on its own, and the
# restore at the end of the run, would land on the other two, and a later
# client's PREPARE of that name would fail on the first.
t_pooler_failed_prepare() {
	db=$(newdb pooler_fprep)
	pdb=$(pooled pooler_fprep)
	mig "$pdir/fprep" 0001_p.sql "PREPARE ins AS SELECT 1;\nSELECT 1/0;\n"
	# The three server sessions exist and are idle.
	q "$pdb" "SELECT pg_sleep(0.3)" >/dev/null & q "$pdb" "SELECT pg_sleep(0.3)" >/dev/null &
	q "$pdb" "SELECT pg_sleep(0.3)" >/dev/null
	wait
	expect 1 "division by zero" build/migc up --dir "$pdir/fprep" --database "$pdb" || return 1
	for i in 1 2 3 4 5 6; do
		q "$pdb" "PREPARE ins AS SELECT 2; DEALLOCATE ins" || { echo "a PREPARE of the failed migration is left"; return 1; }
	done
}

# racers up through the pooler at once while an application inserts
# through it all along: each migration applied once, each racer exits 0
# without a warning (but that it waits), and every insert of the application succeeds.
t_pooler_race() {
	db=$(newdb pooler_race)
	pdb=$(pooled pooler_race)
	build/migc up --to 2 --dir "$pdir/set" --database "$db" >/dev/null || return 1
	rm -f "$pdir"/race.* "$pdir/app.stop"
	(
		n=0
		bad=0
		while [ ! -e "$pdir/app.stop" ]; do
			q "$pdb" "INSERT INTO t VALUES ($n)" >>"$pdir/app.err" 2>&1 || bad=$((bad + 1))
			n=$((n + 1))
		done
		echo "$n $bad" >"$pdir/app.done"
	) &
	app=$!
	i=1
	while [ $i -le "$racers" ]; do
		build/migc up --dir "$pdir/set" --database "$pdb" >"$pdir/race.$i" 2>&1 &
		eval "racer$i=\$!"
		i=$((i + 1))
	done
	st=0
	i=1
	while [ $i -le "$racers" ]; do
		eval "wait \$racer$i" || { echo "racer $i failed:"; cat "$pdir/race.$i"; st=1; }
		i=$((i + 1))
	done
	touch "$pdir/app.stop"
	wait $app
	[ $st = 0 ] || return 1
	# Waiting for another racer is what they do; anything else is not.
	if cat "$pdir"/race.* | grep -v "^migc: warning: waiting for the migration lock held by pid [0-9]*$" | grep warning; then
		echo "a racer warned"
		return 1
	fi
	expect 0 "10" q "$db" "SELECT count(*) FROM applied" || return 1
	[ "$(q "$db" "SELECT count(DISTINCT version) FROM applied")" = 10 ] || return 1
	[ "$(versions "$db")" = 1,2,3,4,5,6,7,8,9,10,11,12 ] || return 1
	[ "$(grep -h -c '^applied' "$pdir"/race.* | awk '{ s += $1 } END { print s }')" = 10 ] ||
		{ echo "the racers did not apply 10 migrations between them"; return 1; }
	read -r n bad <"$pdir/app.done"
	echo "the application inserted $n rows; $bad failed"
	[ "$bad" = 0 ] || { cat "$pdir/app.err"; return 1; }
	[ "$(q "$db" "SELECT count(*) FROM t")" = "$n" ]
}

if need "[postgres] pooler: PgBouncer starts in transaction mode" t_pooler_start; then
	check "[postgres] pooler: status and verify leave no read-only setting to the pooled connection's next client" t_pooler_readonly
	check "[postgres] pooler: a no-transaction migration is refused before anything runs, naming PgBouncer" t_pooler_notx
	check "[postgres] pooler: down reverts a transactional migration and refuses a no-transaction one" t_pooler_down
	check "[postgres] pooler: a no-transaction repeatable migration is refused before anything runs; a transactional one runs" t_pooler_repeatable
	check "[postgres] pooler: a LATIN1 database: every migration's text arrives in UTF-8, after the session resets too" t_pooler_encoding
	check "[postgres] pooler: redo of a no-transaction migration is refused before its down runs" t_pooler_redo
	check "[postgres] pooler: no prepared statement outlives its transaction" t_pooler_prepared
	pgbstop
	if need "[postgres] pooler: PgBouncer starts in transaction mode with 2 server connections" pgbstart transaction 2; then
		check "[postgres] pooler: a lock wait's blocker is not looked up through the pooler, which has no session to spare" t_pooler_blocker
		check "[postgres] pooler: a retry takes the lock and reads the table again: a migration another migrator applied meanwhile runs once" t_pooler_retry
		check "[postgres] pooler: SIGINT cancels the running statement through PgBouncer; up exits 130 and the migration is rolled back" t_pooler_interrupt
		check "[postgres] pooler: $racers racers and an application share the pool: each migration once, no warning, every insert done" t_pooler_race
		check "[postgres] pooler: adopt through PgBouncer: a dry run, then 8 racing adopters: one records goose's versions, the others refuse" t_pooler_adopt
	fi
	pgbstop
	need "[postgres] pooler: PgBouncer starts in transaction mode, handing out its 3 server connections in turn" \
		pgbstart transaction 3 "server_round_robin = 1" &&
		check "[postgres] pooler: a failed migration's PREPARE goes with the reset after its rollback, on the same server session" t_pooler_failed_prepare
fi
pgbstop
