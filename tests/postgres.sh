# tests/postgres.sh: end-to-end tests of PostgreSQL-only behaviour, sourced
# by tests/run after pgstart: locking, schemas, quoting, passwords, and
# what only PostgreSQL can run (CREATE INDEX CONCURRENTLY, DO blocks).

B=postgres
mkdir -p "$tmp/pg-only"

t_pg_lock_timeout() {
	d=$tmp/pg-only/slow
	mig "$d" 0001_slow.sql "CREATE TABLE slow (x integer);\nSELECT pg_sleep(3);\n"
	db=$(newdb slowlock)
	build/migc up --dir "$d" --database "$db" >"$tmp/slow.out" 2>&1 &
	holder=$!
	sleep 1
	expect 1 "timed out after 1 s waiting for the migration lock held by pid" \
		build/migc up --lock-timeout 1 --dir "$d" --database "$db"
	st=$?
	grep -q "warning: waiting for the migration lock held by pid [1-9]" "$tmp/expect.out" || st=1
	wait "$holder" || st=1
	[ $st -eq 0 ] && [ "$(versions "$db")" = 1 ]
}
check "[postgres] lock: a second migrator says who holds the lock and gives up after --lock-timeout" t_pg_lock_timeout

t_pg_schema_quoting() {
	db=$(newdb schemas)
	q "$db" 'CREATE SCHEMA "we""ird; s"' || return 1
	build/migc up --schema 'we"ird; s' --table 'hist "x"; --' --dir "$base" --database "$db" >/dev/null || return 1
	[ "$(q "$db" 'SELECT count(*) FROM "we""ird; s"."hist ""x""; --"')" = 2 ] || return 1
	expect 0 "2 applied, 0 pending" build/migc status --schema 'we"ird; s' --table 'hist "x"; --' --dir "$base" --database "$db" || return 1
	expect 0 "0 applied, 2 pending" build/migc status --dir "$base" --database "$db"
}
check "[postgres] --schema and --table with quotes and semicolons are quoted, not executed" t_pg_schema_quoting

# Without --schema the tracking table is the one in current_schema(),
# even when its name leads to another one further down the search_path.
t_pg_search_path() {
	db=$(newdb searchpath)
	q "$db" 'CREATE SCHEMA first' &&
		q "$db" "ALTER DATABASE searchpath SET search_path = first, public" || return 1
	expect 0 "applied 0002_b" build/migc up --schema public --dir "$base" --database "$db" || return 1
	expect 0 "nothing to apply" build/migc up --schema public --dir "$base" --database "$db" || return 1
	expect 0 "0 applied, 2 pending" build/migc status --dir "$base" --database "$db" || return 1
	q "$db" "ALTER DATABASE searchpath SET search_path = nowhere" || return 1
	expect 2 "no schema on the search_path exists: pass --schema" build/migc status --dir "$base" --database "$db" || return 1
	expect 2 "no schema on the search_path exists: pass --schema" build/migc up --dir "$base" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM public.migc_migrations')" = 2 ]
}
check "[postgres] the tracking table is in current_schema(), not wherever its name leads on the search_path; no schema at all is a clear error" t_pg_search_path

t_pg_password() {
	db=$(newdb pw)
	url=$(echo "$db" | sed 's|postgres://[^@]*@|postgres://migc_pw:s3cret-pw@|')
	expect 0 "applied 0002_b" build/migc up --dir "$base" --database "$url" || return 1
	expect 0 '"database":"postgres://migc_pw:***@' build/migc status --json --dir "$base" --database "$url" || return 1
	grep -q s3cret "$tmp/expect.out" && return 1
	bad=$(echo "$db" | sed 's|postgres://[^@]*@|postgres://migc_pw:wrong-pw@|')
	expect 1 "cannot connect to PostgreSQL" build/migc up --dir "$base" --database "$bad" || return 1
	grep -q "wrong-pw" "$tmp/expect.out" && return 1
	expect 0 "2 applied, 0 pending" build/migc status --dir "$base" --database "$PGKW dbname=pw"
}
check "[postgres] passwords: a URL with a password works, is printed as ***, a wrong one fails without echo; keyword strings work" t_pg_password

t_pg_concurrently() {
	d=$tmp/pg-only/cic
	mig "$d" 0001_t.sql "CREATE TABLE t (a integer, b text);\nINSERT INTO t SELECT i, md5(i::text) FROM generate_series(1, 5000) i;\n"
	mig "$d" 0002_idx.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY t_a ON t (a);\nCREATE UNIQUE INDEX CONCURRENTLY t_b ON t (b);\n"
	mig "$d" 0003_fn.sql "CREATE FUNCTION greet(who text) RETURNS text LANGUAGE plpgsql AS \$f\$\nBEGIN\n  RETURN format(\$q\$hello, %s; bye\$q\$, who);\nEND;\n\$f\$;\nDO \$\$\nBEGIN\n  IF greet('x') <> 'hello, x; bye' THEN RAISE EXCEPTION 'bad %', greet('x'); END IF;\n  CREATE TABLE done (ok boolean);\nEND;\n\$\$;\n"
	db=$(newdb cic)
	build/migc up --dir "$d" --database "$db" || return 1
	[ "$(q "$db" "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('t_a', 't_b') AND i.indisvalid")" = 2 ] || return 1
	[ "$(q "$db" "SELECT greet('y')")" = "hello, y; bye" ] || return 1
	[ "$(q "$db" "SELECT statements_done || '/' || statements_total FROM migc_migrations WHERE version = 2")" = 2/2 ]
}
check "[postgres] CREATE INDEX CONCURRENTLY in a no-transaction migration; plpgsql and DO with nested dollar quotes" t_pg_concurrently

t_pg_api() {
	build/migc gen --dialect postgres --name pg_migrations -o "$tmp/pg_set.c" tests/api-pg &&
	$CC $LDFLAGS -std=c99 -Wall -Wextra -Werror -Iruntime $PQ_CFLAGS tests/unit/pg_api_test.c "$tmp/pg_set.c" build/libmigc.a \
		$SQLITE_LIBS $PQ_LIBS -o "$tmp/pg_api_test" 2>&1
}
if check "[postgres] pg_api_test builds against libmigc.a" t_pg_api; then
	unit "$tmp/pg_api_test" "$(pgnewdb pgapi)" "$(pgnewdb pgapitx)"
fi

t_pg_errors() {
	d=$tmp/pg-only/errors
	mig "$d" 0001_p.sql "CREATE TABLE p (x integer CHECK (x > 0));\nINSERT INTO p VALUES (1);\n"
	mig "$d" 0002_hint.sql "SELECT 1;\nSELECT lower(1, 2);\n"
	db=$(newdb pgerrors)
	expect 1 "0002_hint.sql:2:8: ERROR: function lower(integer, integer) does not exist (SQLSTATE 42883, statement 2 of 2)" \
		build/migc up --dir "$d" --database "$db" || return 1
	grep -q "^HINT: No function matches the given name and argument types" "$tmp/expect.out" || return 1
	mig "$d" 0002_hint.sql "INSERT INTO p VALUES (2);\nUPDATE p\n   SET x = -x;\n"
	expect 1 "0002_hint.sql:2:1: ERROR: new row for relation \"p\" violates check constraint \"p_x_check\" (SQLSTATE 23514, statement 2 of 2)" \
		build/migc up --dir "$d" --database "$db" || return 1
	grep -q "^DETAIL: Failing row contains (-1)." "$tmp/expect.out" || return 1
	[ "$(versions "$db")" = 1 ] && [ "$(q "$db" 'SELECT count(*) FROM p')" = 1 ]
}
check "[postgres] errors carry SQLSTATE, DETAIL and HINT, positions mapped to file:line:col, and roll back whole" t_pg_errors

t_pg_one_message() {
	d=$tmp/pg-only/onemsg
	mig "$d" 0001_one.sql "CREATE TABLE one (x integer);\nINSERT INTO one VALUES (1);\n"
	db=$(newdb onemsg)
	q "$db" "ALTER DATABASE onemsg SET log_statement = 'all'" || return 1
	build/migc up --dir "$d" --database "$db" >/dev/null || return 1
	awk '/statement: CREATE TABLE one/ { p = 1; print; next } p && /^\t/ { print; next } { p = 0 }' "$_pgroot/log" >"$tmp/onemsg.log"
	cat "$tmp/onemsg.log"
	grep -q 'INSERT INTO one VALUES (1);' "$tmp/onemsg.log" &&
	grep -q 'INSERT INTO "public"."migc_migrations"' "$tmp/onemsg.log" &&
	grep -q 'COMMIT;' "$tmp/onemsg.log"
}
check "[postgres] a transactional migration reaches the server as one message: statements, tracking row, COMMIT" t_pg_one_message

# pgmessages DB COMMAND...: run COMMAND; print how many messages (simple
# queries, each logged once by log_statement = all) it sent to the server.
pgmessages() {
	db=$1
	shift
	before=$(wc -c <"$_pgroot/log")
	"$@" >/dev/null || return 1
	tail -c +"$((before + 1))" "$_pgroot/log" | grep -c 'LOG:  statement: '
}

# n migrations: the run costs a fixed number of messages plus one per
# migration (BEGIN travels with it, the table is read once per run); a
# no-op up is one message: where the table is, its mark and its rows.
t_pg_round_trips() {
	d=$tmp/pg-only/trips
	for i in $(seq 1 30); do
		mig "$d" "$(printf '%04d' "$i")_t$i.sql" "CREATE TABLE t$i (x integer);\nINSERT INTO t$i VALUES ($i);\n"
	done
	for n in 10 30; do
		db=$(newdb "trips$n")
		q "$db" "ALTER DATABASE trips$n SET log_statement = 'all'" || return 1
		eval "up$n=\$(pgmessages \"\$db\" build/migc up --to $n --dir \"\$d\" --database \"\$db\")" || return 1
	done
	noop=$(pgmessages "$db" build/migc up --dir "$d" --database "$db") || return 1
	echo "messages: up of 10: $up10, up of 30: $up30, no-op up: $noop"
	[ $((up30 - up10)) -eq 20 ] && [ "$noop" -eq 1 ]
}
check "[postgres] up sends one message per migration (BEGIN and COMMIT in it); a no-op up sends one" t_pg_round_trips

t_pg_replay() {
	build/migc gen --dialect postgres --main --replay-database "$PGURL" -o "$tmp/pgreplay.c" migrations/postgres || return 1
	[ "$(grep -c '"s1:[0-9a-f]\{64\}" },$' "$tmp/pgreplay.c")" = 6 ] || { echo "not 6 fingerprints"; return 1; }
	cbuild "$tmp/pgreplay" "$tmp/pgreplay.c" || return 1
	db=$(newdb pgreplay)
	"$tmp/pgreplay" up --database "$db" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" "$tmp/pgreplay" verify --schema --database "$db" || return 1
	d=$tmp/pg-only/replayfail
	mig "$d" 0001_a.sql "CREATE TABLE a (x integer);\n"
	mig "$d" 0002_b.sql "SELECT 1;\nSELECT lower(1, 2);\n"
	expect 2 "$d/0002_b.sql:2:8: ERROR: function lower(integer, integer) does not exist" \
		build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/x.c" "$d" || return 1
	grep -q "the migrations fail when replayed on a scratch PostgreSQL database" "$tmp/expect.out" || return 1
	[ "$(q "$PGURL" "SELECT count(*) FROM pg_database WHERE datname LIKE 'migc\_replay\_%'")" = 0 ]
}
check "[postgres] gen --replay-database: fingerprints embedded and held by verify --schema; a failing migration is a build error; the scratch database is dropped" t_pg_replay
