# tests/hostile.sh: the hostile input catalogue, sourced by tests/run after
# the PostgreSQL server started (PostgreSQL cases are skipped without it).
# Each case runs one command on malformed or hostile input and must exit
# with the documented status, print the expected fragment, and leave the
# databases ($hdb, and $hpg when there is one) exactly as they were.

hroot=$tmp/hostile
mkdir -p "$hroot"
chmod o+x "$tmp"
chmod 777 "$hroot"
hdb=sqlite:$hroot/base.db
build/migc up --dir "$base" --database "$hdb" >/dev/null
hpg=
if [ -n "${PGURL:-}" ]; then
	hpg=$(pgnewdb hostile)
	build/migc up --dir "$base" --database "$hpg" >/dev/null
fi
dump "$hdb" >"$hroot/sqlite.before"
[ -n "$hpg" ] && dump "$hpg" >"$hroot/pg.before"

# hostile NAME STATUS FRAGMENT COMMAND...: one catalogue case.
hostile() {
	selected "hostile: $1" || return 0
	hname=$1
	hwant=$2
	htext=$3
	shift 3
	"$@" >"$hroot/out" 2>&1 </dev/null
	hgot=$?
	if [ "$hgot" -ne "$hwant" ]; then
		fail "hostile: $hname: expected exit $hwant, got $hgot"
		head -n 5 "$hroot/out" | sed 's/^/    /'
	elif ! grep -qF -- "$htext" "$hroot/out"; then
		fail "hostile: $hname: the output lacks: $htext"
		head -n 5 "$hroot/out" | sed 's/^/    /'
	elif ! dump "$hdb" | cmp -s - "$hroot/sqlite.before"; then
		fail "hostile: $hname: the SQLite database changed"
	elif [ -n "$hpg" ] && ! dump "$hpg" | cmp -s - "$hroot/pg.before"; then
		fail "hostile: $hname: the PostgreSQL database changed"
	else
		pass "hostile: $hname (exit $hwant)"
	fi
}

# hdir NAME: a fresh copy of the base set to spoil.
hdir() {
	rm -rf "$hroot/$1"
	cp -r "$base" "$hroot/$1"
	chmod 755 "$hroot/$1"
	echo "$hroot/$1"
}

up() {
	build/migc up --dir "$1" --database "$hdb"
}

d=$(hdir badname); echo 'SELECT 1;' >"$d/notes.sql"
hostile "a .sql file that is not NNNN_name.sql" 2 "notes.sql: error: file name does not match NNNN_name.sql" up "$d"
d=$(hdir badchars); echo 'SELECT 1;' >"$d/0003_a b.sql"
hostile "a name with a space" 2 "a migration name may hold only letters, digits" up "$d"
d=$(hdir dup); echo 'SELECT 1;' >"$d/2_again.sql"
hostile "a duplicate version" 2 "duplicate version 2: also 0002_b.sql" up "$d"
d=$(hdir overflow); echo 'SELECT 1;' >"$d/9223372036854775808_big.sql"
hostile "a version past 64 bits" 2 "version is out of range (at most 9223372036854775807)" up "$d"
d=$(hdir zero); echo 'SELECT 1;' >"$d/0000_zero.sql"
hostile "version 0" 2 "version 0 is reserved" up "$d"
d=$(hdir orphan); echo 'SELECT 1;' >"$d/0003_c.down.sql"
hostile "a down file without its up file" 2 "down migration without an up migration (expected 0003_c.sql)" up "$d"
d=$(hdir string); printf "CREATE TABLE s (x TEXT);\nINSERT INTO s VALUES ('never closed);\n" >"$d/0003_s.sql"
hostile "an unterminated string" 2 "0003_s.sql:2:23: error: unterminated string" up "$d"
d=$(hdir comment); printf "CREATE TABLE s (x TEXT);\n/* no end\n" >"$d/0003_s.sql"
hostile "an unterminated comment" 2 "0003_s.sql:2:1: error: unterminated comment" up "$d"
d=$(hdir ident); printf 'CREATE TABLE "s (x TEXT);\n' >"$d/0003_s.sql"
hostile "an unterminated quoted identifier" 2 "0003_s.sql:1:14: error: unterminated quoted identifier" up "$d"
d=$(hdir bracket); printf 'CREATE TABLE [s (x TEXT);\n' >"$d/0003_s.sql"
hostile "an unterminated [identifier]" 2 "0003_s.sql:1:14: error: unterminated quoted identifier" up "$d"
d=$(hdir trigger); printf 'CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n' >"$d/0003_t.sql"
hostile "a trigger body without END" 2 "0003_t.sql:1:1: error: CREATE TRIGGER has no END;" up "$d"
d=$(hdir dollar); printf 'DO $body$ BEGIN PERFORM 1; END $bod$;\n' >"$d/0003_d.sql"
hostile "an unterminated dollar quote" 2 '0003_d.sql:1:4: error: unterminated dollar quote $body$' build/migc gen --dialect postgres "$d"
d=$(hdir nested)
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "/*"; printf " deep "; for (i = 0; i < 100000; i++) printf "*/"; print ""; print "SELECT 1;" }' >"$d/0003_deep.sql"
hostile "100,000 nested comments, closed" 0 "ok: 3 migrations match" sh -c "build/migc hash '$d' >/dev/null && build/migc gen --dialect postgres -o '$hroot/deep.c' '$d' && build/migc check --dialect postgres '$d'"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "/*"; print "" }' >"$d/0003_deep.sql"
hostile "100,000 nested comments, never closed" 2 "0003_deep.sql:1:1: error: unterminated comment" build/migc gen --dialect postgres "$d"
d=$(hdir huge); truncate -s 200M "$d/0003_huge.sql"
hostile "a 200 MB migration" 2 "0003_huge.sql: error: is 209715200 bytes: a migration may be at most 64 MiB" up "$d"
d=$hroot/many; rm -rf "$d"; mkdir -p "$d"
awk -v d="$d" 'BEGIN { for (i = 1; i <= 100000; i++) { f = sprintf("%s/%06d_m%d.sql", d, i, i); print "SELECT 1;" > f; close(f) } }'
hostile "100,000 migrations" 0 "ok: 100000 migrations match" sh -c "build/migc hash '$d' >/dev/null && build/migc check --dialect sqlite '$d'"
rm -rf "$d"
d=$(hdir utf8); printf "SELECT 'caf\351';\n" >"$d/0003_latin1.sql"
hostile "invalid UTF-8 (PostgreSQL)" 2 "0003_latin1.sql:1:12: error: invalid UTF-8: PostgreSQL would refuse it" build/migc gen --dialect postgres "$d"
d=$(hdir nul); printf "SELECT 'a\000b';\n" >"$d/0003_nul.sql"
hostile "a NUL byte" 2 "0003_nul.sql:1:10: error: NUL byte" up "$d"
d=$(hdir loop); ln -s 0003_loop.sql "$d/0003_loop.sql"
hostile "a symlink loop" 2 "0003_loop.sql: error: cannot read: Too many levels of symbolic links" up "$d"
d=$(hdir isdir); mkdir "$d/0003_dir.sql"
hostile "a directory named like a migration" 2 "0003_dir.sql: error: not a regular file" up "$d"
d=$(hdir fifo); mkfifo "$d/0003_fifo.sql"
hostile "a FIFO named like a migration (no hang)" 2 "0003_fifo.sql: error: not a regular file" up "$d"
d=$(hdir unreadable); echo 'SELECT 1;' >"$d/0003_secret.sql"; chmod 000 "$d/0003_secret.sql"
hostile "an unreadable file" 2 "0003_secret.sql: error: cannot read: Permission denied" asnobody build/migc list --dir "$d"
hostile "a missing directory" 2 "cannot open migration directory: No such file or directory" up "$hroot/nonexistent"
d=$(hdir txctl); printf 'CREATE TABLE c (x);\nCOMMIT;\nCREATE TABLE d (x);\n' >"$d/0003_c.sql"
hostile "COMMIT inside a transactional migration" 2 "0003_c.sql:2:1: error: COMMIT inside a transactional migration" up "$d"
d=$(hdir meta); printf 'SELECT 1;\n\\connect other\n' >"$d/0003_m.sql"
hostile "a psql meta-command" 2 '0003_m.sql:2:1: error: psql meta-command \connect is not supported' build/migc gen --dialect postgres "$d"
d=$(hdir dot); printf '.import data.csv t\n' >"$d/0003_m.sql"
hostile "an sqlite3 shell command" 2 "0003_m.sql:1:1: error: sqlite3 shell command .import is not supported" up "$d"
d=$(hdir directive); printf -- '-- migc:notransaction\nSELECT 1;\n' >"$d/0003_m.sql"
hostile "a misspelt directive" 2 "0003_m.sql:1:4: error: unknown directive 'migc:notransaction'" up "$d"
d=$(hdir goose); printf -- '-- +goose Up\nCREATE TABLE g (x);\n-- +goose Down\nDROP TABLE g;\n' >"$d/0003_g.sql"
hostile "a goose file (up)" 2 "0003_g.sql:1:1: error: is a goose migration (-- +goose Up at line 1)" up "$d"
hostile "a goose file (status)" 2 "0003_g.sql:1:1: error: is a goose migration" build/migc status --dir "$d" --database "$hdb"
d=$(hdir dbmate); printf -- '-- migrate:up\nCREATE TABLE m (x);\n\n-- migrate:down\nDROP TABLE m;\n' >"$d/0003_m.sql"
hostile "a dbmate file (hash writes no migc.sum)" 2 "0003_m.sql:1:1: error: is a dbmate migration (-- migrate:up at line 1)" \
	sh -c "build/migc hash '$d'; st=\$?; [ -f '$d/migc.sum' ] && exit 9; exit \$st"
d=$(hdir sqlmigrate); build/migc hash "$d" >/dev/null; printf -- '-- +migrate Up\nCREATE TABLE s (x);\n' >"$d/0003_s.sql"
hostile "a sql-migrate file (check)" 2 "0003_s.sql:1:1: error: is a sql-migrate migration (-- +migrate Up at line 1)" build/migc check --dialect sqlite "$d"
d=$(hdir gomigrate); mv "$d/0002_b.sql" "$d/0002_b.up.sql"
hostile "a golang-migrate pair (up)" 2 "0002_b.up.sql: error: is a golang-migrate (or sqlx) up migration: migc would read it as migration 'b.up'; rename it to 0002_b.sql" up "$d"
d=$(hdir flyway); printf 'CREATE TABLE f (x);\n' >"$d/V3__f.sql"
hostile "a Flyway file (check)" 2 "V3__f.sql: error: is a Flyway or refinery versioned migration (version 3): rename it to 0003_f.sql" build/migc check --dialect sqlite "$d"
d=$(hdir mentions); printf -- "-- Not a goose file: -- +goose Up\nSELECT '-- migrate:up';\n" >"$d/0003_n.sql"
hostile "a migc file that mentions goose and dbmate markers is not refused (hash, check)" 0 "ok: 3 migrations match" \
	sh -c "build/migc hash '$d' >/dev/null && build/migc check --dialect sqlite '$d'"
d=$(hdir cic); printf 'CREATE INDEX CONCURRENTLY a_x ON a (x);\n' >"$d/0003_i.sql"
hostile "CREATE INDEX CONCURRENTLY in a transaction" 2 "CREATE INDEX CONCURRENTLY cannot run inside a transaction: add -- migc:no-transaction" build/migc gen --dialect postgres "$d"
d=$(hdir wal); printf 'CREATE TABLE w (x);\nPRAGMA journal_mode = WAL;\n' >"$d/0003_w.sql"
hostile "PRAGMA journal_mode = WAL in a transaction (a silent no-op)" 2 "0003_w.sql:2:1: error: PRAGMA journal_mode has no effect inside a transaction: add -- migc:no-transaction" up "$d"
chmod 444 "$hroot/base.db"
chmod 755 "$hroot"
d=$(hdir ro); printf 'CREATE TABLE ro (x);\n' >"$d/0003_ro.sql"
hostile "a read-only database file" 1 "attempt to write a readonly database" asnobody build/migc up --dir "$d" --database "$hdb"
hostile "status and verify on a read-only database file" 0 "ok: 2 applied migrations match" \
	asnobody sh -c "build/migc status --dir '$base' --database '$hdb' | grep -q '2 applied, 0 pending' && build/migc verify --dir '$base' --database '$hdb'"
chmod 644 "$hroot/base.db"
chmod 777 "$hroot"
d=$(hdir full); printf "CREATE TABLE big (x TEXT);\nINSERT INTO big SELECT randomblob(1000000) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3);\n" >"$d/0003_big.sql"
hostile "a full disk (RLIMIT_FSIZE)" 1 "0003_big.sql:2:1:" sh -c "trap '' XFSZ; ulimit -f 2048; exec build/migc up --dir '$d' --database '$hdb'"
hostile "a table name of 64 bytes" 2 "invalid tracking table (--table) name: it must be 1 to 63 bytes" \
	build/migc up --table "$(printf '%064d' 7)" --dir "$base" --database "$hdb"
hostile "a table name with a newline" 2 "invalid tracking table (--table) name" \
	build/migc up --table "$(printf 'a\nb')" --dir "$base" --database "$hdb"
hostile "a URL password is never printed" 2 "unsupported database URL 'mysql://root:***@db/x'" \
	sh -c "build/migc status --dir '$base' --database 'mysql://root:hunter2@db/x' 2>&1 | tee '$hroot/pw'; ! grep -q hunter2 '$hroot/pw' && exit 2"
d=$(hdir truncsum); build/migc hash "$d" >/dev/null; head -n 2 "$d/migc.sum" >"$d/x"; mv "$d/x" "$d/migc.sum"
hostile "a truncated migc.sum" 3 "migc.sum:1: the header hash does not match the lines below" build/migc check --dialect sqlite "$d"
d=$(hdir tampersum); build/migc hash "$d" >/dev/null; sed 's/ c1:\(.\)/ c1:0/' "$d/migc.sum" >"$d/x"; mv "$d/x" "$d/migc.sum"
hostile "a tampered migc.sum" 3 "the header hash does not match" build/migc check --dialect sqlite "$d"
d=$(hdir nulsum); printf 'migc.sum 1 \000\000\r\r\r\n' >"$d/migc.sum"
hostile "a migc.sum with NUL bytes (a fuzz finding)" 3 "migc.sum:1: the header hash does not match" build/migc check --dialect sqlite "$d"
q "$hroot/foreign.db" "CREATE TABLE migc_migrations (version INTEGER)"
cp "$hroot/foreign.db" "$hroot/foreign.before"
hostile "a tracking table migc did not make" 1 "the table migc_migrations was not made by migc" \
	sh -c "build/migc up --dir '$base' --database 'sqlite:$hroot/foreign.db' && exit 9; cmp -s '$hroot/foreign.db' '$hroot/foreign.before' || exit 9; exit 1"
q "$hroot/cols.db" "CREATE TABLE migc_migrations ( /* migc tracking table, layout 1 */ version INTEGER)"
hostile "a tracking table missing columns" 1 "the tracking table migc_migrations has a layout this migc does not know" \
	build/migc up --dir "$base" --database "sqlite:$hroot/cols.db"
q "$hroot/newer.db" "CREATE TABLE migc_migrations ( /* migc tracking table, layout 3 */ version INTEGER, future TEXT)"
hostile "a database written by a newer migc" 3 "the database was written by a newer migc (tracking table layout 3; this one knows up to 2)" \
	build/migc up --dir "$base" --database "sqlite:$hroot/newer.db"
echo "not a database, just text" >"$hroot/text.db"
hostile "a file that is not a database" 1 "file is not a database" build/migc up --dir "$base" --database "sqlite:$hroot/text.db"
hostile "a database path that is a directory" 1 "cannot open sqlite database $hroot" build/migc up --dir "$base" --database "sqlite:$hroot"
hostile "status of a missing database creates nothing" 0 "sqlite:$hroot/missing.db (no such file yet: nothing applied)" \
	sh -c "build/migc status --dir '$base' --database 'sqlite:$hroot/missing.db'; st=\$?; [ -e '$hroot/missing.db' ] && exit 9; exit \$st"
hostile "status of a database in a missing directory" 1 "cannot open sqlite database $hroot/nodir/missing.db: unable to open database file (it must exist)" \
	sh -c "build/migc status --dir '$base' --database 'sqlite:$hroot/nodir/missing.db'; st=\$?; [ -e '$hroot/nodir' ] && exit 9; exit \$st"
hostile "an empty sqlite: URL" 2 "unsupported database URL 'sqlite:'" build/migc up --dir "$base" --database "sqlite:"
hostile "an unknown SQLite URL parameter" 2 "unknown parameter 'journal_mode' in the SQLite URL: known are vfs, mode, cache, psow, nolock, immutable" \
	build/migc up --dir "$base" --database "$hdb?journal_mode=wal"
hostile "a SQLite URL mode that does not exist" 2 "mode=rwx in the SQLite URL: mode is ro, rw, rwc or memory" \
	build/migc up --dir "$base" --database "$hdb?mode=rwx"
hostile "a %00 in a SQLite URL (SQLite would cut the name there)" 2 "%00 in the SQLite URL" \
	build/migc up --dir "$base" --database "$hdb%00.other"
hostile "a password in a SQLite URL is never printed" 2 "unknown parameter 'password' in the SQLite URL" \
	sh -c "build/migc status --dir '$base' --database '$hdb?password=hunter2' 2>&1 | tee '$hroot/pw'; ! grep -q hunter2 '$hroot/pw' && exit 2"
d=$(hdir modero); printf 'CREATE TABLE ro (x);\n' >"$d/0003_ro.sql"
hostile "up with mode=ro in the URL" 1 "attempt to write a readonly database (statement 1 of 1); the database is open read-only (the URL says mode=ro" build/migc up --dir "$d" --database "$hdb?mode=ro"
hostile "a lock timeout that is not a number" 2 "--lock-timeout: 'soon' is not a number of seconds" \
	build/migc up --lock-timeout soon --dir "$base" --database "$hdb"
hostile "a version past 64 bits in --to" 2 "--to: '99999999999999999999' is not a version" \
	build/migc up --to 99999999999999999999 --dir "$base" --database "$hdb"
hostile "gen --name main" 2 "--name: 'main' is not a usable C identifier" build/migc gen --dialect sqlite --name main "$base"
hostile "gen -o into a missing directory" 1 "migc: error: cannot write $hroot/nope/x.c: No such file or directory" \
	build/migc gen --dialect sqlite -o "$hroot/nope/x.c" "$base"
ln -s outloop "$hroot/outloop"
hostile "gen -o onto a symlink loop (left as it is)" 1 "migc: error: cannot write $hroot/outloop: Too many levels of symbolic links" \
	sh -c "build/migc gen --dialect sqlite -o '$hroot/outloop' '$base'; st=\$?; [ -L '$hroot/outloop' ] && ! ls -A '$hroot' | grep -q migc- && exit \$st"
mkdir "$hroot/outdir"
hostile "gen -o onto a directory" 1 "migc: error: cannot write $hroot/outdir: Is a directory" \
	sh -c "build/migc gen --dialect sqlite -o '$hroot/outdir' '$base'; st=\$?; ls -A '$hroot' | grep -q 'outdir.' && exit 9; exit \$st"
hostile "an unknown dialect" 2 "--dialect: 'mysql' is not sqlite or postgres" build/migc gen --dialect mysql "$base"
if [ -n "$hpg" ]; then
	hostile "an unreachable host" 1 "cannot connect to PostgreSQL" \
		build/migc up --dir "$base" --database "postgres://migc@127.0.0.1:1/x?connect_timeout=3"
	badpw=$(echo "$hpg" | sed 's|postgres://[^@]*@|postgres://migc_pw:Wrong-Secret@|')
	hostile "a wrong password, never printed" 1 'password authentication failed for user "migc_pw"' \
		sh -c "build/migc up --dir '$base' --database '$badpw' >'$hroot/pw' 2>&1; st=\$?; cat '$hroot/pw'; grep -q Wrong-Secret '$hroot/pw' && exit 9; exit \$st"
	hostile "a schema name of 64 bytes" 2 "invalid schema (--schema) name: it must be 1 to 63 bytes" \
		build/migc up --schema "$(printf '%064d' 7)" --dir "$base" --database "$hpg"
	d=$(hdir copyout); printf 'CREATE TABLE c (x integer);\nCOPY b TO STDOUT;\n' >"$d/0003_c.sql"
	hostile "COPY ... TO STDOUT (no hang)" 2 "0003_c.sql:2:1: error: COPY ... TO STDOUT is not supported" \
		timeout 60 build/migc up --dir "$d" --database "$hpg"
	d=$(hdir copydata); printf 'CREATE TABLE c (x integer, y text);\nCOPY public.c (x, y) FROM stdin;\n1\tit'"'"'s\n2\t\\N\n\\.\n\n' >"$d/0003_c.sql"
	hostile "pg_dump's COPY ... FROM stdin with the data inline" 2 "0003_c.sql:2:1: error: COPY ... FROM stdin with the data inline (as pg_dump writes it) is not supported" \
		timeout 60 build/migc up --dir "$d" --database "$hpg"
	d=$(hdir scs); printf "SET standard_conforming_strings = off;\nINSERT INTO a (x) VALUES ('x\\\\'); DELETE FROM b; --');\n" >"$d/0003_s.sql"
	hostile "SET standard_conforming_strings = off (psql and the server would read the strings otherwise)" 2 \
		"0003_s.sql:1:5: error: standard_conforming_strings = off is not supported" build/migc up --dir "$d" --database "$hpg"
	d=$(hdir prepare); printf "CREATE TABLE p (x integer);\nPREPARE TRANSACTION 'p';\n" >"$d/0003_p.sql"
	hostile "PREPARE TRANSACTION in a transactional migration" 2 "0003_p.sql:2:1: error: PREPARE TRANSACTION inside a transactional migration" \
		build/migc up --dir "$d" --database "$hpg"
	d=$(hdir pgfail); printf 'CREATE TABLE c (x integer);\nINSERT INTO c VALUES (1), (2);\nSELECT 1 / (SELECT count(*) - 2 FROM c);\n' >"$d/0003_c.sql"
	hostile "a migration failing on PostgreSQL leaves nothing" 1 "0003_c.sql:3:1: ERROR: division by zero (SQLSTATE 22012, statement 3 of 3)" \
		build/migc up --dir "$d" --database "$hpg"
fi
chmod -R u+rwX "$hroot" 2>/dev/null
