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
	waitfor "the first migrator's lock" qis "$db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted" 1 ||
		return 1
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

# Without --schema the tracking table is the one in current_schema(): a
# run does not take one further down the search_path for it, nor make a
# second one there; it refuses and says which --schema to pass.
t_pg_search_path() {
	db=$(newdb searchpath)
	q "$db" 'CREATE SCHEMA first' &&
		q "$db" "ALTER DATABASE searchpath SET search_path = first, public" || return 1
	expect 0 "applied 0002_b" build/migc up --schema public --dir "$base" --database "$db" || return 1
	expect 0 "nothing to apply" build/migc up --schema public --dir "$base" --database "$db" || return 1
	expect 1 "the tracking table is public.migc_migrations, not in schema first (current_schema())" \
		build/migc status --dir "$base" --database "$db" || return 1
	grep -qF "pass --schema public to use it" "$tmp/expect.out" || return 1
	q "$db" "ALTER DATABASE searchpath SET search_path = nowhere" || return 1
	for cmd in status up; do
		expect 1 "not in current_schema(): no schema on the search_path exists" \
			build/migc $cmd --dir "$base" --database "$db" || return 1
		grep -qF "pass --schema public to use it" "$tmp/expect.out" || return 1
	done
	[ "$(q "$db" 'SELECT count(*) FROM public.migc_migrations')" = 2 ] || return 1
	db=$(newdb nopath)
	q "$db" "ALTER DATABASE nopath SET search_path = nowhere" || return 1
	expect 2 "no schema on the search_path exists: pass --schema" build/migc status --dir "$base" --database "$db" || return 1
	expect 2 "no schema on the search_path exists: pass --schema" build/migc up --dir "$base" --database "$db"
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
	expect 0 "2 applied, 0 pending" build/migc status --dir "$base" --database "$PGKW dbname=pw" || return 1
	# A keyword string whose password holds "://" is still a keyword string.
	expect 0 '"database":"host=' build/migc status --json --dir "$base" --database "$PGKW dbname=pw password=se://cret" || return 1
	grep -q "se://cret" "$tmp/expect.out" && { echo "the password was printed"; return 1; }
	grep -qF "password=***" "$tmp/expect.out"
}
check "[postgres] passwords: a URL with a password works, is printed as ***, a wrong one fails without echo; keyword strings work" t_pg_password

# Every form of password issue 14 lists: none is ever printed, not in
# migc's own messages, not in libpq's (which echo parts of a connection
# string), not by status or status --json, not by gen --replay-database.
# A form a line, EXIT|NAME|WHAT THE OUTPUT SAYS|CONNECTION STRING (printf
# %b escapes; @PORT@ is the server's port, 1 one where nothing listens).
# Each password holds S3c or retPW, and the output never does. The role
# migc logs in without a password (trust), so a wrong one still connects.
pwforms() {
	sed "s/@PORT@/$PGPORT/g" <<'EOF'
0|a keyword string with :// in another value|application_name=x://y password=***|host=127.0.0.1 port=@PORT@ user=migc dbname=pwforms application_name=x://y password=S3cretPW
0|keywords separated by newlines|password=***|host=127.0.0.1\nport=@PORT@\nuser=migc\npassword=S3cretPW\ndbname=pwforms
0|keywords separated by tabs|password\t=\t***|host=127.0.0.1\tport=@PORT@\tuser=migc\tpassword\t=\tS3cretPW\tdbname=pwforms
0|keywords separated by CR LF and a lone CR|password=***|host=127.0.0.1\r\nport=@PORT@\r\nuser=migc\rpassword=S3cretPW\r\ndbname=pwforms
0|a value with a backslash-escaped space|password=*** dbname|host=127.0.0.1 port=@PORT@ user=migc password=S3c\\ retPW dbname=pwforms
0|a second password= (libpq uses the last)|password=*** dbname=pwforms password=***|host=127.0.0.1 port=@PORT@ user=migc password=S3cOne dbname=pwforms password=S3cretPW
0|sslpassword=|sslpassword=***|host=127.0.0.1 port=@PORT@ user=migc sslmode=disable sslpassword=S3cretPW dbname=pwforms
0|a percent-encoded key in a URL query|pass%77ord=***|postgres://migc@127.0.0.1:@PORT@/pwforms?sslmode=disable&pass%77ord=S3cretPW
0|a URL with both user:pw@ and ?password=|migc:***@127.0.0.1|postgres://migc:S3cOne@127.0.0.1:@PORT@/pwforms?password=S3cretPW&sslmode=disable
0|a # in a URL query value|password=***&sslmode|postgres://migc@127.0.0.1:@PORT@/pwforms?password=S3c#retPW&sslmode=disable
1|libpq's error on a bad percent-encoding in user:pw@|invalid percent-encoded token: "***"|postgres://migc:S3c%ZZretPW@127.0.0.1:1/pwforms
1|libpq's error on a bad percent-encoding in ?password=|invalid percent-encoded token: "***"|postgres://migc@127.0.0.1:1/pwforms?password=S3c%ZZretPW
1|libpq's error on a bad IPv6 host, which echoes the URL|"postgres://migc:***@[::1/pwforms"|postgres://migc:S3cretPW@[::1/pwforms
1|libpq's error on an empty IPv6 host|"postgres://migc:***@[]/pwforms?password=***"|postgres://migc:S3cretPW@[]/pwforms?password=S3cOne
1|libpq's error on a character after an IPv6 host|"postgres://migc:***@[::1]x/pwforms"|postgres://migc:S3cretPW@[::1]x/pwforms
1|libpq's error on another scheme's URL with a = (read as keywords)|invalid connection option "mysql://migc:***@127.0.0.1/pwforms?a"|mysql://migc:S3cretPW@127.0.0.1/pwforms?a=b
1|libpq's error on a URL after a blank (read as keywords)|invalid connection option "postgres://migc:***@127.0.0.1:1/pwforms?sslmode"| postgres://migc:S3cretPW@127.0.0.1:1/pwforms?sslmode=disable
1|libpq's error on an unencoded / in the password (read as a port)|invalid integer value "***" for connection option "port"|postgres://migc:S3c/retPW@127.0.0.1:1/pwforms
2|migc's error on a URL with one slash|unsupported database URL 'postgres:/migc:***@127.0.0.1:1/pwforms'|postgres:/migc:S3cretPW@127.0.0.1:1/pwforms
1|libpq's error on an unquoted password with a space|missing "=" after "***"|host=127.0.0.1 port=1 user=migc password=x S3cretPW dbname=pwforms
1|the server's error naming a database that is a URL|database "postgres://migc:***@x/y" does not exist|host=127.0.0.1 port=@PORT@ user=migc dbname=postgres://migc:S3cretPW@x/y
EOF
}

t_pg_password_form() {
	url=$(printf '%b' "$3")
	for cmd in status "status --json" up; do
		# shellcheck disable=SC2086
		build/migc $cmd --dir "$base" --database "$url" >"$tmp/pw.out" 2>&1
		got=$?
		cat "$tmp/pw.out"
		[ "$got" -eq "$1" ] || { echo "$cmd: exit status $got, not $1"; return 1; }
		grep -Eq 'S3c|retPW' "$tmp/pw.out" && { echo "$cmd printed a password"; return 1; }
		case $1.$cmd in
		0.up) ;;
		0.status\ --json) grep -qF '"database":"' "$tmp/pw.out" && grep -qF '***' "$tmp/pw.out" || return 1 ;;
		*) grep -qF -- "$(printf '%b' "$2")" "$tmp/pw.out" || { echo "$cmd: expected: $2"; return 1; } ;;
		esac
	done
	# gen exits 2 when the replay fails; libpq reads what migc refuses.
	build/migc gen --dialect postgres --replay-database "$url" -o "$tmp/pw.c" "$base" >"$tmp/pw.out" 2>&1
	got=$?
	cat "$tmp/pw.out"
	want=0
	[ "$1" -eq 0 ] || want=2
	[ "$got" -eq "$want" ] || { echo "gen --replay-database: exit status $got, not $want"; return 1; }
	grep -Eq 'S3c|retPW' "$tmp/pw.out" && { echo "gen --replay-database printed a password"; return 1; }
	[ "$1" -ne 1 ] || grep -qF -- "$(printf '%b' "$2")" "$tmp/pw.out" || { echo "gen --replay-database: expected: $2"; return 1; }
}
newdb pwforms >/dev/null
pwforms >"$tmp/pwforms"
while IFS='|' read -r st name says conn; do
	check "[postgres] passwords: $name" t_pg_password_form "$st" "$says" "$conn"
done <"$tmp/pwforms"

# PGPASSWORD and .pgpass: libpq reads them itself. Whether right or wrong,
# neither is printed, in text or JSON, nor by gen --replay-database.
t_pg_pgpassword() {
	url="postgres://migc_pw@127.0.0.1:$PGPORT/pwforms?sslmode=disable"
	printf '127.0.0.1:%s:*:migc_pw:s3cret-pw\n' "$PGPORT" >"$tmp/pgpass.right"
	printf '127.0.0.1:%s:*:migc_pw:S3cretPW\n' "$PGPORT" >"$tmp/pgpass.wrong"
	chmod 600 "$tmp/pgpass.right" "$tmp/pgpass.wrong"
	for how in "PGPASSWORD=s3cret-pw" "PGPASSFILE=$tmp/pgpass.right" "PGPASSWORD=S3cretPW" "PGPASSFILE=$tmp/pgpass.wrong"; do
		case $how in *s3cret-pw | *right) want=0 ;; *) want=1 ;; esac
		for cmd in status "status --json" gen; do
			if [ "$cmd" = gen ]; then
				env "$how" build/migc gen --dialect postgres --replay-database "$url" -o "$tmp/pw.c" "$base" >"$tmp/pw.out" 2>&1
			else
				# shellcheck disable=SC2086
				env "$how" build/migc $cmd --dir "$base" --database "$url" >"$tmp/pw.out" 2>&1
			fi
			got=$?
			cat "$tmp/pw.out"
			[ "$cmd" != gen ] || got=$((got / 2))
			[ "$got" -eq "$want" ] || { echo "$how $cmd: exit status $got, not $want"; return 1; }
			grep -Eq 's3cret|S3c|retPW' "$tmp/pw.out" && { echo "$how $cmd printed a password"; return 1; }
			[ "$want" -eq 0 ] || grep -qF 'password authentication failed for user "migc_pw"' "$tmp/pw.out" || return 1
		done
	done
}
check "[postgres] passwords: PGPASSWORD and .pgpass, right and wrong, never printed" t_pg_pgpassword

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

# A no-transaction migration that releases the migration lock in a way
# gen cannot see stops the run: another migrator could have come in.
t_pg_lock_released() {
	d=$tmp/pg-only/released
	mig "$d" 0001_a.sql "CREATE TABLE a (x integer);\n"
	mig "$d" 0002_release.sql "-- migc:no-transaction\nDO \$\$ BEGIN EXECUTE 'SELECT pg_advisory_' || 'unlock_all()'; END \$\$;\n"
	mig "$d" 0003_b.sql "CREATE TABLE b (x integer);\n"
	db=$(newdb released)
	expect 1 "the migration released migc's migration lock (DISCARD ALL or pg_advisory_unlock_all())" \
		build/migc up --dir "$d" --database "$db" || return 1
	[ "$(versions "$db")" = "1,2" ]
}
check "[postgres] a migration that releases the migration lock where gen cannot see it stops the run" t_pg_lock_released

# Nothing of the runtime needs PL/pgSQL, which a database may have dropped.
t_pg_no_plpgsql() {
	db=$(newdb noplpgsql)
	q "$db" "DROP EXTENSION plpgsql" || return 1
	expect 0 "applied 0002_b" build/migc up --dir "$base" --database "$db" || return 1
	expect 0 "reverted 0002_b" build/migc down --dir "$base" --database "$db"
}
check "[postgres] a database without PL/pgSQL is migrated" t_pg_no_plpgsql

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
	awk '/statement: CREATE TABLE one/ { p = 1; print; next } p && /^\t/ { print; next } { p = 0 }' "$PGLOG" >"$tmp/onemsg.log"
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
	before=$(wc -c <"$PGLOG")
	"$@" >/dev/null || return 1
	tail -c +"$((before + 1))" "$PGLOG" | grep -c 'LOG:  statement: '
}

# n migrations: the run costs a fixed number of messages plus one per
# migration (xApply sends its BEGIN, the table is read once per run); a
# no-op up is one message: where the table is and its rows, by a read that
# names the layout column.
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

# noscratch: no scratch database of gen --replay-database is left on the
# server (each replay drops its own, however it ends).
noscratch() {
	[ "$(q "$PGURL" "SELECT count(*) FROM pg_database WHERE datname LIKE 'migc\_replay\_%'")" = 0 ] ||
		{ echo "a scratch database was left behind"; return 1; }
}

t_pg_replay() {
	build/migc gen --strict --dialect postgres --main --replay-database "$PGURL" -o "$tmp/pgreplay.c" migrations/postgres || return 1
	[ "$(grep -c '"s3:[0-9a-f]\{64\}", 0 },$' "$tmp/pgreplay.c")" = 6 ] || { echo "not 6 fingerprints"; return 1; }
	cbuild "$tmp/pgreplay" "$tmp/pgreplay.c" || return 1
	db=$(newdb pgreplay)
	"$tmp/pgreplay" up --database "$db" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" "$tmp/pgreplay" verify --schema --database "$db" || return 1
	d=$tmp/pg-only/replayfail
	mig "$d" 0001_a.sql "CREATE TABLE a (x integer);\n"
	mig "$d" 0002_b.sql "SELECT 1;\nSELECT lower(1, 2);\n"
	expect 2 "$d/0002_b.sql:2:8: error: ERROR: function lower(integer, integer) does not exist" \
		build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/x.c" "$d" || return 1
	grep -q "the migrations fail when replayed on a scratch PostgreSQL database" "$tmp/expect.out" || return 1
	noscratch
}
check "[postgres] gen --replay-database: fingerprints embedded and held by verify --schema; a failing migration is a build error; the scratch database is dropped" t_pg_replay

# The round trip on PostgreSQL: the demo set's downs restore (gen --strict
# above); a down that does not restore is a finding, the scratch database
# is made again for the versions after it (their fingerprints are those
# of the ups alone), and every scratch database is dropped.
t_pg_roundtrip() {
	d=$tmp/pg-only/roundtrip
	rm -rf "$d" "$d-ups"
	mig "$d" 0001_a.sql "CREATE TABLE a (id bigint PRIMARY KEY, x text);\n"
	mig "$d" 0001_a.down.sql "DROP TABLE a;\n"
	mig "$d" 0002_y.sql "ALTER TABLE a ADD COLUMN y text;\nCREATE INDEX a_y ON a (y);\n"
	mig "$d" 0002_y.down.sql "DROP INDEX a_y;\n"
	mig "$d" 0003_f.sql "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
	mig "$d" 0003_f.down.sql "DROP FUNCTION nosuch();\n"
	mig "$d" 0004_b.sql "CREATE TABLE b (id bigint PRIMARY KEY REFERENCES a);\n"
	mig "$d" 0004_b.down.sql "DROP TABLE b;\n"
	expect 0 "$d/0002_y.down.sql: warning: the down migration does not restore the schema from before 0002_y.sql: column public.a.y left behind" \
		build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/pgrt.c" "$d" || return 1
	grep -qF "$d/0003_f.down.sql:1:1: note: ERROR: function nosuch() does not exist" "$tmp/expect.out" || return 1
	grep -qF "$d/0003_f.down.sql: warning: the down migration fails when replayed after 0003_f.sql" "$tmp/expect.out" || return 1
	[ "$(grep -c ': warning: the down migration' "$tmp/expect.out")" = 2 ] || { echo "not 2 round-trip warnings"; return 1; }
	cp -r "$d" "$d-ups" && rm "$d-ups"/*.down.sql
	build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/pgups.c" "$d-ups" || return 1
	grep -o '"s3:[0-9a-f]*"' "$tmp/pgrt.c" >"$tmp/pgrt.fp"
	grep -o '"s3:[0-9a-f]*"' "$tmp/pgups.c" | cmp - "$tmp/pgrt.fp" || { echo "the round trips changed the fingerprints"; return 1; }
	[ "$(wc -l <"$tmp/pgrt.fp")" = 4 ] || return 1
	expect 2 "$d/0002_y.down.sql: error: the down migration does not restore" \
		build/migc gen --strict --allow require-timeout-settings,require-concurrent-index-creation --dialect postgres \
		--replay-database "$PGURL" -o "$tmp/pgrt2.c" "$d" || return 1
	[ ! -e "$tmp/pgrt2.c" ] || { echo "--strict wrote the output"; return 1; }
	noscratch
}
check "[postgres] gen --replay-database runs each down after its up: findings named, fingerprints those of the ups, scratch dropped" t_pg_roundtrip

# A sequence a down does not reset: after 0003's round trip the row is
# back with id 2, and 0004's reference to id 1 fails. A finding, as on
# SQLite (gen.sh), and the build goes on.
t_pg_roundtrip_leak() {
	d=$tmp/pg-only/rtleak
	rm -rf "$d"
	mig "$d" 0001_s.sql "CREATE TABLE s (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n text);\n"
	mig "$d" 0001_s.down.sql "DROP TABLE s;\n"
	mig "$d" 0002_row.sql "INSERT INTO s (n) VALUES ('first');\n"
	mig "$d" 0002_row.down.sql "DELETE FROM s WHERE n = 'first';\n"
	mig "$d" 0003_c.sql "CREATE TABLE c (s_id bigint NOT NULL REFERENCES s);\nINSERT INTO c VALUES (1);\n"
	mig "$d" 0003_c.down.sql "DROP TABLE c;\n"
	expect 0 "$d/0003_c.sql: warning: fails after the round trips of the down migrations before it, not without them" \
		build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/pgleak.c" "$d" || return 1
	grep -q 'violates foreign key constraint' "$tmp/expect.out" || { echo "the failure is not shown"; return 1; }
	noscratch
}
check "[postgres] gen --replay-database: a down that leaves a sequence advanced, which a later up trips on, is a finding" t_pg_roundtrip_leak

# -- migc:no-replay on PostgreSQL: 0002 would fail if replayed (a
# duplicate key); gen passes, and its fingerprint is 0001's.
t_pg_noreplay() {
	d=$tmp/pg-only/noreplay
	rm -rf "$d"
	mig "$d" 0001_t.sql "CREATE TABLE t (id bigint PRIMARY KEY);\n"
	mig "$d" 0002_fill.sql "-- migc:no-replay\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\n"
	build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/pgnoreplay.c" "$d" || return 1
	[ "$(grep -o '"s3:[0-9a-f]*"' "$tmp/pgnoreplay.c" | sort -u | wc -l)" = 1 ] || { echo "0002's fingerprint is not 0001's"; return 1; }
	grep -q 'INSERT INTO t VALUES (1);' "$tmp/pgnoreplay.c" || { echo "0002's statements are not embedded"; return 1; }
	noscratch
}
check "[postgres] gen --replay-database: a -- migc:no-replay migration is skipped, its fingerprint the version before" t_pg_noreplay

# The lint's golden set is real PostgreSQL: every statement of it runs on
# the server (its _good files are what the fixes say to do), and the
# replay adds nothing to the findings (no server NOTICE is printed).
t_pg_lint_replays() {
	build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/pglint.c" tests/gen/pg-lint 2>"$tmp/pglint.err" ||
		{ cat "$tmp/pglint.err"; return 1; }
	cmp "$tmp/pglint.err" tests/gen/pg-lint.warn || { diff "$tmp/pglint.err" tests/gen/pg-lint.warn | head; return 1; }
}
check "[postgres] the lint's golden set runs on PostgreSQL, and replaying it finds what the lint finds" t_pg_lint_replays

# pgtable DB SCHEMA: the versions recorded in SCHEMA.migc_migrations.
pgtable() {
	q "$1" "SELECT string_agg(version::text, ',' ORDER BY version) FROM \"$2\".migc_migrations"
}

# movedrun DB DIR SCHEMA COMMAND...: each COMMAND (a word list) exits 1
# naming SCHEMA.migc_migrations and the --schema to pass, and the database
# is unchanged by all of them. Every command is run, to show each one.
movedrun() {
	mdb=$1 mdir=$2 mschema=$3
	shift 3
	dump "$mdb" >"$tmp/moved.before" || return 1
	mst=0
	for mcmd; do
		# shellcheck disable=SC2086
		expect 1 "$mschema.migc_migrations" build/migc $mcmd --dir "$mdir" --database "$mdb" || mst=1
		grep -qF -- "pass --schema $mschema" "$tmp/expect.out" || { echo "no --schema $mschema hint from $mcmd"; mst=1; }
	done
	dump "$mdb" | cmp -s - "$tmp/moved.before" || { echo "the database changed"; mst=1; }
	return $mst
}

# The default search_path is "$user", public: once a migration creates a
# schema named like the role (migc), current_schema() is that schema, but
# the tracking table stays in public, where the first run made it.
t_pg_role_schema() {
	d=$tmp/pg-only/roleschema
	mig "$d" 0001_schema.sql "CREATE SCHEMA migc;\n"
	mig "$d" 0002_t.sql "CREATE TABLE t (x integer);\n"
	db=$(newdb roleschema)
	expect 0 "applied 0002_t" build/migc up --dir "$d" --database "$db" || return 1
	[ "$(q "$db" 'SELECT current_schema()')" = migc ] || return 1
	movedrun "$db" "$d" public status "status --json" verify up "up --dry-run" "down --to 0" redo \
		"baseline 1" "repair --accept-checksums" || return 1
	expect 0 "nothing to apply" build/migc up --schema public --dir "$d" --database "$db" || return 1
	expect 0 "2 applied, 0 pending" build/migc status --schema public --dir "$d" --database "$db" || return 1
	expect 0 "ok: 2 applied migrations match this binary" build/migc verify --schema public --dir "$d" --database "$db" || return 1
	[ "$(pgtable "$db" public)" = 1,2 ] && [ "$(q "$db" "SELECT to_regclass('migc.migc_migrations')")" = "" ]
}
check "[postgres] a migration creating the role's schema moves current_schema(): later runs refuse (exit 1, naming public.migc_migrations and --schema public), change nothing; --schema public works" t_pg_role_schema

t_pg_database_search_path() {
	db=$(newdb pathmoved)
	expect 0 "applied 0002_b" build/migc up --dir "$base" --database "$db" || return 1
	q "$db" 'CREATE SCHEMA app' && q "$db" "ALTER DATABASE pathmoved SET search_path = app" || return 1
	movedrun "$db" "$base" public status verify up "down --to 0" || return 1
	expect 0 "nothing to apply" build/migc up --schema public --dir "$base" --database "$db" || return 1
	expect 0 "2 applied, 0 pending" build/migc status --schema public --dir "$base" --database "$db" || return 1
	[ "$(pgtable "$db" public)" = 1,2 ] && [ "$(q "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'app'")" = 0 ]
}
check "[postgres] after ALTER DATABASE ... SET search_path to a new schema, runs refuse naming public.migc_migrations and --schema public, and change nothing" t_pg_database_search_path

# status says where the table is: public by default, the role's schema
# when it exists before the first run, the --schema given.
t_pg_status_schema() {
	db=$(newdb statusschema)
	expect 0 "tracking table public.migc_migrations" build/migc status --dir "$base" --database "$db" || return 1
	expect 0 '"table":"migc_migrations","schema":"public","applied":0' build/migc status --json --dir "$base" --database "$db" || return 1
	q "$db" 'CREATE SCHEMA migc' || return 1
	build/migc up --dir "$base" --database "$db" >/dev/null || return 1
	[ "$(pgtable "$db" migc)" = 1,2 ] || return 1
	expect 0 "tracking table migc.migc_migrations" build/migc status --dir "$base" --database "$db" || return 1
	expect 0 '"table":"migc_migrations","schema":"migc","applied":2' build/migc status --json --dir "$base" --database "$db" || return 1
	q "$db" 'CREATE SCHEMA "we""ird; s"' || return 1
	expect 0 'tracking table "we""ird; s".hist' build/migc status --schema 'we"ird; s' --table hist --dir "$base" --database "$db" || return 1
	expect 0 '"table":"hist","schema":"we\"ird; s","applied":0' build/migc status --json --schema 'we"ird; s' --table hist --dir "$base" --database "$db"
}
check "[postgres] status and status --json name the tracking table's schema" t_pg_status_schema

# Tracking tables in several other schemas: all are named; one in a
# schema that needs quoting gets a --schema hint a shell can take as it is.
t_pg_moved_several() {
	db=$(newdb movedseveral)
	q "$db" 'CREATE SCHEMA "we""ird; s"' || return 1
	build/migc up --schema 'we"ird; s' --dir "$base" --database "$db" >/dev/null || return 1
	expect 1 '"we""ird; s".migc_migrations' build/migc status --dir "$base" --database "$db" || return 1
	hint=$(sed -n 's/.*pass \(--schema .*\) to use it.*/\1/p' "$tmp/expect.out")
	echo "hint: $hint"
	eval "expect 0 '2 applied, 0 pending' build/migc status $hint --dir \"\$base\" --database \"\$db\"" || return 1
	q "$db" 'CREATE SCHEMA other' || return 1
	build/migc baseline 1 --schema other --dir "$base" --database "$db" >/dev/null || return 1
	q "$db" "CREATE TABLE elsewhere_not_ours (x integer); CREATE SCHEMA plain; CREATE TABLE plain.migc_migrations (x integer)" || return 1
	dump "$db" >"$tmp/several.before"
	expect 1 'other.migc_migrations, "we""ird; s".migc_migrations' build/migc up --dir "$base" --database "$db" || return 1
	grep -q 'plain' "$tmp/expect.out" && { echo "named a table without migc's mark"; return 1; }
	dump "$db" | cmp -s - "$tmp/several.before"
}
check "[postgres] tracking tables in several other schemas are all named (a table without migc's mark is not one); a --schema hint needing quotes is quoted for the shell" t_pg_moved_several

# The lock check that tells a running no-transaction migration from an
# interrupted one looks at this database only: while another database
# on the server is being migrated (same tracking table name, same key),
# an interrupted migration here still reads as failed.
t_pg_lock_other_database() {
	d=$tmp/pg-only/interrupted
	mig "$d" 0001_t.sql "CREATE TABLE t (x integer);\n"
	mig "$d" 0002_idx.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);\nCREATE INDEX CONCURRENTLY t_y ON t (x);\n"
	mig "$d" 0003_u.sql "CREATE TABLE u (x integer);\n"
	dba=$(newdb lock_a)
	build/migc up --to 2 --dir "$d" --database "$dba" >/dev/null || return 1
	q "$dba" "DROP INDEX t_y; UPDATE migc_migrations SET statements_done = 1 WHERE version = 2" || return 1
	ds=$tmp/pg-only/slowb
	mig "$ds" 0001_slow.sql "-- migc:no-transaction\nSELECT pg_sleep(8);\n"
	dbb=$(newdb lock_b)
	build/migc up --dir "$ds" --database "$dbb" >"$tmp/lock_b.out" 2>&1 &
	holder=$!
	n=0
	until [ "$(q "$PGURL" "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = 'lock_b' AND l.granted")" -gt 0 ]; do
		[ $n -lt 50 ] || { echo "lock_b's migrator never took its lock"; kill "$holder"; return 1; }
		n=$((n + 1))
		sleep 0.1
	done
	holder_pid=$(q "$PGURL" "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = 'lock_b' AND l.granted")
	dump "$dba" >"$tmp/lock_a.before"
	st=0
	expect 3 "0002_idx.sql did not finish: statement 2 of 2" build/migc verify --dir "$d" --database "$dba" || st=1
	expect 0 '"version":2,"state":"failed"' build/migc status --json --dir "$d" --database "$dba" || st=1
	expect 0 "[1 of 2 statements]" build/migc status --dir "$d" --database "$dba" || st=1
	expect 3 "0002_idx.sql did not finish: statement 2 of 2" build/migc up --dir "$d" --database "$dba" || st=1
	dump "$dba" | cmp -s - "$tmp/lock_a.before" || { echo "lock_a changed"; st=1; }
	# In its own database the migration that holds the lock reads as running.
	expect 0 "1                running" build/migc status --dir "$ds" --database "$dbb" || st=1
	expect 0 "0001_slow.sql is being applied by another process (pid $holder_pid)" \
		build/migc verify --dir "$ds" --database "$dbb" || st=1
	# Two databases migrate at the same moment without waiting for each other.
	dbc=$(newdb lock_c)
	expect 0 "applied 0003_u" build/migc up --lock-timeout 1 --dir "$d" --database "$dbc" || st=1
	grep -q "waiting for the migration lock" "$tmp/expect.out" && { echo "lock_c waited for lock_b"; st=1; }
	kill -0 "$holder" 2>/dev/null || { echo "lock_b's migration ended before the checks did: they proved nothing"; st=1; }
	wait "$holder" || { cat "$tmp/lock_b.out"; st=1; }
	[ $st -eq 0 ] && [ "$(versions "$dba")" = 1,2 ] && [ "$(versions "$dbc")" = 1,2,3 ]
}
check "[postgres] lock: an interrupted migration reads as failed (verify 3, status failed, up refuses) while another database on the server is being migrated (which reads as running there); two databases migrate at once" t_pg_lock_other_database

# gen --replay-database interrupted while a migration runs: the scratch
# database is dropped and migc dies of the signal (exit 130 and 143).
# env --default-signal: a shell starts background commands with SIGINT
# ignored, and migc keeps an ignored signal ignored.
t_pg_replay_signal() {
	d=$tmp/pg-only/replayslow
	mig "$d" 0001_a.sql "CREATE TABLE a (x integer);\n"
	mig "$d" 0002_slow.sql "INSERT INTO a VALUES (1);\nSELECT pg_sleep(60);\n"
	for sig in INT TERM; do
		env --default-signal=INT,TERM build/migc gen --dialect postgres --replay-database "$PGURL" \
			-o "$tmp/slow.c" "$d" >"$tmp/slow.out" 2>&1 &
		pid=$!
		n=0
		until [ "$(q "$PGURL" "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'migc\_replay\_%' AND query LIKE '%pg_sleep(60)%' AND state = 'active'")" = 1 ]; do
			n=$((n + 1))
			[ $n -lt 200 ] || { kill -KILL $pid; echo "the replay never reached pg_sleep"; return 1; }
			sleep 0.1
		done
		kill -$sig $pid
		n=0
		while kill -0 $pid 2>/dev/null; do
			n=$((n + 1))
			[ $n -lt 200 ] || { kill -KILL $pid; echo "still running 20 s after SIG$sig"; return 1; }
			sleep 0.1
		done
		wait $pid
		st=$?
		cat "$tmp/slow.out"
		left=$(q "$PGURL" "SELECT string_agg(datname, ', ') FROM pg_database WHERE datname LIKE 'migc\_replay\_%'")
		for db in $(echo "$left" | tr ',' ' '); do
			q "$PGURL" "DROP DATABASE $db WITH (FORCE)" >/dev/null
		done
		[ -z "$left" ] || { echo "SIG$sig left the scratch database $left behind"; return 1; }
		want=143
		[ $sig = TERM ] || want=130
		[ "$st" -eq "$want" ] || { echo "exit status $st after SIG$sig, expected $want"; return 1; }
		[ -e "$tmp/slow.c" ] && { echo "an interrupted gen wrote its output"; return 1; }
	done
	return 0
}
check "[postgres] gen --replay-database killed with SIGINT or SIGTERM mid-migration drops its scratch database and exits 130/143" t_pg_replay_signal

# A fresh pg_dump --schema-only, the usual first migration of an existing
# database: pg_dump 15.14 and later guard it with \restrict/\unrestrict
# lines (added here as it writes them when this pg_dump is older).
t_pg_dump_schema() {
	src=$(newdb dumpsrc)
	q "$src" "CREATE TYPE mood AS ENUM ('sad', 'ok');
		CREATE TABLE person (id serial PRIMARY KEY, name text NOT NULL UNIQUE, m mood DEFAULT 'ok');
		CREATE TABLE pet (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			owner integer REFERENCES person (id) ON DELETE CASCADE, note text CHECK (note <> ''));
		CREATE INDEX pet_owner ON pet (owner) WHERE note IS NOT NULL;
		CREATE VIEW names AS SELECT name FROM person WHERE name LIKE 'a;%';
		CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$
			BEGIN NEW.note := coalesce(NEW.note, 'x; y'); RETURN NEW; END \$\$;
		CREATE TRIGGER pet_touch BEFORE INSERT ON pet FOR EACH ROW EXECUTE FUNCTION touch();
		COMMENT ON TABLE person IS 'it''s people; \\ and all';
		CREATE SCHEMA extra;
		CREATE TABLE extra.t (x numeric(10, 2) DEFAULT 1.5);
		CREATE MATERIALIZED VIEW counts AS SELECT count(*) FROM pet;" || return 1
	d=$tmp/pg-only/dump
	rm -rf "$d"
	mkdir -p "$d"
	"$PGBIN/pg_dump" --schema-only --no-owner -d "$src" >"$d/0001_schema.sql" || return 1
	if ! grep -q '^\\restrict [A-Za-z0-9]*$' "$d/0001_schema.sql"; then
		key=Ab3dEfGh1jKlMn0pQrStUvWxYz0123456789abcdefghijklmnopqrstuvwxyzA
		awk -v k="$key" 'NR == 4 { print; print ""; print "\\restrict " k; next } { print } END { print "\\unrestrict " k; print "" }' \
			"$d/0001_schema.sql" >"$d/x" && mv "$d/x" "$d/0001_schema.sql"
	fi
	grep -c '^\\\(un\)\{0,1\}restrict ' "$d/0001_schema.sql"
	build/migc gen --dialect postgres --main --replay-database "$PGURL" -o "$tmp/dump.c" "$d" || return 1
	cbuild "$tmp/dump" "$tmp/dump.c" || return 1
	dst=$(newdb dumpdst)
	"$tmp/dump" up --database "$dst" || return 1
	for db in "$src" "$dst"; do
		"$PGBIN/pg_dump" --schema-only --no-owner --exclude-table=public.migc_migrations -d "$db" |
			grep -v '^--\|^\\restrict\|^\\unrestrict'
	done >"$tmp/dump.both"
	n=$(wc -l <"$tmp/dump.both")
	head -n $((n / 2)) "$tmp/dump.both" >"$tmp/dump.src"
	tail -n $((n / 2)) "$tmp/dump.both" >"$tmp/dump.dst"
	grep -q 'CREATE TRIGGER pet_touch' "$tmp/dump.src" && diff "$tmp/dump.src" "$tmp/dump.dst" &&
		[ "$(q "$dst" "SELECT obj_description('person'::regclass)")" = "it's people; \\ and all" ]
}
check "[postgres] a fresh pg_dump --schema-only (with its \\restrict lines) passes gen, replays and builds the same schema" t_pg_dump_schema

# pg_dump's data section, COPY ... FROM stdin with the rows inline, is
# refused with what to do instead, at the COPY.
t_pg_dump_data() {
	src=$(newdb dumpdata)
	q "$src" "CREATE TABLE t (id integer, name text, note text); INSERT INTO t VALUES (1, 'it''s', NULL), (2, 'tab	here', 'a\\b')" || return 1
	d=$tmp/pg-only/dumpdata
	rm -rf "$d"
	mkdir -p "$d"
	"$PGBIN/pg_dump" --no-owner -d "$src" >"$d/0001_all.sql" || return 1
	line=$(grep -n '^COPY public.t ' "$d/0001_all.sql" | cut -d: -f1)
	expect 2 "0001_all.sql:$line:1: error: COPY ... FROM stdin with the data inline (as pg_dump writes it) is not supported" \
		build/migc gen --dialect postgres "$d" || return 1
	grep -q "pg_dump --inserts" "$tmp/expect.out" || return 1
	"$PGBIN/pg_dump" --no-owner --inserts -d "$src" >"$d/0001_all.sql" || return 1
	build/migc gen --dialect postgres --replay-database "$PGURL" -o "$tmp/dumpdata.c" "$d"
}
check "[postgres] pg_dump's COPY ... FROM stdin data is refused at the COPY, saying to use pg_dump --inserts; that dump passes" t_pg_dump_data

# Rows a migration's SELECT returns are read one at a time and dropped:
# 5 million of them (166 MB held at once before, in either kind of
# migration) leave migc's memory flat. Under ASan freed memory waits in a
# quarantine of 256 MB: a small one keeps the measure about migc.
t_pg_rows_memory() {
	$CC $LDFLAGS -std=c99 -Wall -Wextra -Werror tests/unit/maxrss.c -o "$tmp/maxrss" || return 1
	d=$tmp/pg-only/rows
	mig "$d" 0001_rows.sql "CREATE TABLE rows_seen (x integer);\nSELECT g FROM generate_series(1, 5000000) g;\nINSERT INTO rows_seen VALUES (1);\n"
	mig "$d" 0002_rows.sql "-- migc:no-transaction\nSELECT g FROM generate_series(1, 5000000) g;\nINSERT INTO rows_seen VALUES (2);\n"
	db=$(newdb pgrows)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1 \
		"$tmp/maxrss" "$tmp/rows.kb" build/migc up --dir "$d" --database "$db" || return 1
	kb=$(cat "$tmp/rows.kb")
	echo "maximum resident set size: $kb kB"
	[ "$kb" -lt 102400 ] && [ "$(q "$db" 'SELECT sum(x) FROM rows_seen')" = 3 ]
}
check "[postgres] a migration's SELECT of 5 million rows keeps migc under 100 MB (rows read one by one)" t_pg_rows_memory

# libpq's environment alone names the database, as it does for psql;
# a SQLite set never reads it.
t_pg_env_only() {
	db=$(newdb envonly)
	dbname=${db##*/}
	dbname=${dbname%%\?*}
	expect 0 "applied 0002_b" env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT="$PGPORT" PGUSER=migc PGDATABASE="$dbname" \
		PGSSLMODE=disable build/migc up --dir "$base" || return 1
	expect 0 "database postgresql:// (PGHOST, PGPORT, PGDATABASE, PGUSER from the environment)" \
		env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT="$PGPORT" PGUSER=migc PGDATABASE="$dbname" PGSSLMODE=disable \
		build/migc status --dir "$base" || return 1
	expect 2 "no database: pass --database URL or set DATABASE_URL" env -u DATABASE_URL PGHOST=127.0.0.1 \
		PGPORT="$PGPORT" PGDATABASE="$dbname" build/migc status --dialect sqlite --dir "$base" || return 1
	# PGPORT and PGUSER alone name no database.
	expect 2 "no database: pass --database URL or set DATABASE_URL" env -u DATABASE_URL -u PGHOST -u PGDATABASE \
		PGPORT="$PGPORT" PGUSER=migc build/migc status --dialect postgres --dir "$base"
}
check "[postgres] PGHOST, PGPORT, PGUSER and PGDATABASE alone name the database (not for a SQLite set)" t_pg_env_only

# --schema NAME that does not exist: say how to make it, or make it.
t_pg_create_schema() {
	db=$(newdb createschema)
	expect 2 "the schema \"new one\" for the tracking table (--schema) does not exist: create it (CREATE SCHEMA \"new one\"), or pass --create-schema to have it made" \
		build/migc up --schema "new one" --dir "$base" --database "$db" || return 1
	[ "$(q "$db" "SELECT count(*) FROM pg_namespace WHERE nspname = 'new one'")" = 0 ] &&
		[ -z "$(tables "$db")" ] || { echo "the refused up changed the database"; return 1; }
	expect 0 "applied 0002_b" build/migc up --schema "new one" --create-schema --dir "$base" --database "$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM "new one".migc_migrations')" = 2 ]
}
check "[postgres] --schema NAME that does not exist says to create it; --create-schema makes it" t_pg_create_schema

# The README's recipe: a migration's objects follow the search_path,
# which the URL's options set for the whole session.
t_pg_search_path_recipe() {
	db=$(newdb searchpath)
	q "$db" "CREATE SCHEMA app" || return 1
	expect 0 "applied 0002_b" build/migc up --dir "$base" --database "$db&options=-csearch_path%3Dapp" || return 1
	[ "$(q "$db" "SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY tablename) FROM pg_tables WHERE tablename IN ('a', 'b', 'migc_migrations')")" = app.a,app.b,app.migc_migrations ]
}
check "[postgres] options=-csearch_path%3Dapp in the URL puts the migrations' tables and the tracking table in app" t_pg_search_path_recipe

# A session that takes no writes is refused before anything runs.
t_pg_readonly_target() {
	db=$(newdb readonlytarget)
	q "$db" "ALTER DATABASE readonlytarget SET default_transaction_read_only = on" || return 1
	expect 1 "the database takes no writes in this session (transaction_read_only is on, as default_transaction_read_only sets it)" \
		build/migc up --dir "$base" --database "$db" || return 1
	[ -z "$(tables "$db")" ] || return 1
	expect 0 "0 applied, 2 pending" build/migc status --dir "$base" --database "$db"
}
check "[postgres] up on a database with default_transaction_read_only fails at once, naming it; status works" t_pg_readonly_target

# The tracking table's layout 2 (README, *The tracking table*): the column
# migc_layout_2, named by the no-op read so that a new backend opens no
# pg_description; a layout 1 table (an older migc's) is read by its
# comment and upgraded by up under the lock; status never writes it; a
# newer layout is refused and left alone.
pgcolumn() {
	q "$1" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'migc_migrations'::regclass AND attname = 'migc_layout_2' AND NOT attisdropped"
}
t_pg_layout2() {
	db=$(newdb layout2)
	build/migc up --dir "$base" --database "$db" >/dev/null || return 1
	[ "$(pgcolumn "$db")" = 1 ] || { echo "a new table has no migc_layout_2"; return 1; }
	qis "$db" "SELECT obj_description('migc_migrations'::regclass)" "migc tracking table, layout 1" || return 1
	q "$db" "ALTER DATABASE layout2 SET log_statement = 'all'" || return 1
	before=$(wc -c <"$PGLOG")
	expect 0 "nothing to apply" build/migc up --dir "$base" --database "$db" || return 1
	tail -c +"$((before + 1))" "$PGLOG" >"$tmp/layout2.log"
	grep -q 'migc_layout_2 IS NULL' "$tmp/layout2.log" || { echo "the no-op read does not name the column"; return 1; }
	! grep -q 'description' "$tmp/layout2.log" || { echo "the no-op read opens pg_description:"; cat "$tmp/layout2.log"; return 1; }
	# As an older migc left it: no column (a dropped one does not count).
	q "$db" "ALTER TABLE migc_migrations DROP COLUMN migc_layout_2" || return 1
	expect 0 "2 applied, 0 pending" build/migc status --dir "$base" --database "$db" || return 1
	build/migc verify --dir "$base" --database "$db" >/dev/null || return 1
	[ "$(pgcolumn "$db")" = 0 ] || { echo "status or verify wrote the table"; return 1; }
	expect 0 "nothing to apply" build/migc up --dir "$base" --database "$db" || return 1
	[ "$(pgcolumn "$db")" = 1 ] || { echo "up did not upgrade a layout 1 table"; return 1; }
	qis "$db" "SELECT obj_description('migc_migrations'::regclass)" "migc tracking table, layout 1" || return 1
	# A newer layout, which drops the column and raises the comment.
	q "$db" "ALTER TABLE migc_migrations DROP COLUMN migc_layout_2; COMMENT ON TABLE migc_migrations IS 'migc tracking table, layout 3'" || return 1
	expect 3 "the database was written by a newer migc (tracking table layout 3; this one knows up to 2)" \
		build/migc up --dir "$base" --database "$db" || return 1
	expect 3 "tracking table layout 3" build/migc status --dir "$base" --database "$db" || return 1
	[ "$(pgcolumn "$db")" = 0 ]
}
check "[postgres] tracking table layout 2: the no-op read names migc_layout_2 and reads no comment; a layout 1 table is read, and upgraded by up only; layout 3 is refused" t_pg_layout2

# A layout 1 table this role does not own: up uses it as it is.
t_pg_layout1_not_owner() {
	d=$tmp/pg-only/layout1owner
	cp -r "$base" "$d" || return 1
	mig "$d" 0003_c.sql "CREATE TABLE c (id integer);\n"
	db=$(newdb layout1owner)
	build/migc up --dir "$base" --database "$db" >/dev/null || return 1
	q "$db" "ALTER TABLE migc_migrations DROP COLUMN migc_layout_2" || return 1
	q "$db" "DROP ROLE IF EXISTS layout1_deployer; CREATE ROLE layout1_deployer LOGIN;
		GRANT CREATE ON SCHEMA public TO layout1_deployer;
		GRANT SELECT, INSERT, UPDATE, DELETE ON migc_migrations TO layout1_deployer" || return 1
	expect 0 "applied 0003_c" build/migc up --dir "$d" --database "postgres://layout1_deployer@127.0.0.1:$PGPORT/layout1owner?sslmode=disable" || return 1
	expect 0 "nothing to apply" build/migc up --dir "$d" --database "postgres://layout1_deployer@127.0.0.1:$PGPORT/layout1owner?sslmode=disable" || return 1
	[ "$(pgcolumn "$db")" = 0 ] || return 1
	qis "$db" "SELECT count(*) FROM migc_migrations" 3 || return 1
	q "$db" "DROP TABLE c; REVOKE ALL ON migc_migrations FROM layout1_deployer; REVOKE CREATE ON SCHEMA public FROM layout1_deployer; DROP ROLE layout1_deployer"
}
check "[postgres] a layout 1 tracking table owned by another role is used as it is: up applies, never tries to upgrade it" t_pg_layout1_not_owner

# The upgrade of a layout 1 table never holds up the table's readers: it
# never waits behind one (a pg_dump, an application's long transaction),
# and never takes its lock in a migration's transaction, which would make
# every status and no-op up wait for the whole migration.
t_pg_layout1_readers() {
	d=$tmp/pg-only/layout1readers
	cp -r "$base" "$d" || return 1
	mig "$d" 0003_slow.sql "CREATE TABLE slow (x integer);\nSELECT pg_sleep(3);\n"
	db=$(newdb layout1readers)
	build/migc up --dir "$base" --database "$db" >/dev/null || return 1
	q "$db" "ALTER TABLE migc_migrations DROP COLUMN migc_layout_2" || return 1
	"$PGBIN/psql" -X -q -d "$db" -c "BEGIN; SELECT count(*) FROM migc_migrations; SELECT pg_sleep(30); COMMIT" >/dev/null 2>&1 &
	reader=$!
	waitfor "the reader's lock on migc_migrations" qis "$db" "SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE c.relname = 'migc_migrations' AND l.granted AND l.pid <> pg_backend_pid()" t || { kill "$reader"; return 1; }
	t0=$(date +%s)
	expect 0 "nothing to apply" build/migc up --dir "$base" --database "$db" || { kill "$reader"; return 1; }
	t1=$(date +%s)
	q "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
	wait "$reader" 2>/dev/null
	[ $((t1 - t0)) -lt 10 ] || { echo "up waited $((t1 - t0)) s behind the reader"; return 1; }
	[ "$(pgcolumn "$db")" = 0 ] || { echo "upgraded while the reader held the table"; return 1; }
	build/migc up --dir "$d" --database "$db" >"$tmp/layout1readers.up" 2>&1 &
	up=$!
	waitfor "the slow migration" qis "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND state = 'active' AND pid <> pg_backend_pid()" 1 || return 1
	q "$db" "SET lock_timeout = '1s'; SELECT count(*) FROM migc_migrations" >"$tmp/layout1readers.read" 2>&1
	readst=$?
	wait "$up" || { cat "$tmp/layout1readers.up"; return 1; }
	cat "$tmp/layout1readers.read"
	[ "$readst" -eq 0 ] || { echo "a reader waited for the migration's transaction"; return 1; }
	[ "$(pgcolumn "$db")" = 1 ] || { echo "the run did not upgrade the table after its migration"; return 1; }
	qis "$db" "SELECT count(*) FROM migc_migrations" 3
}
check "[postgres] upgrading a layout 1 table never waits behind a reader of it, nor makes readers wait for a migration" t_pg_layout1_readers
