# tests/gen.sh: `migc gen`: golden tests, then what the generated C
# promises (every byte of the SQL survives and none becomes C, the same
# output everywhere, the depfile, the replay's schema fingerprints).
# Each tests/gen/NAME/ is a migration directory (pg-NAME: postgres
# dialect; goose-, dbmate-, sql-migrate-, golang-migrate-, sqlx-, flyway-,
# refinery- and flyway-dotted-NAME, pg- or not: that --layout). NAME.c is the expected C, which
# must also compile with the strict flags; NAME.warn the expected warnings, if any; NAME.err the
# expected diagnostics of a directory that must fail with exit status 2.
# replay-objects holds every kind of SQLite schema change the replay keeps
# by object (gen/mirror.c), the other replay-* sets what a review found it
# got wrong (a table made again at its rowid, new rows below the highest
# kept, a trigger named as an index, a round trip that hid a table left
# behind); the loop runs gen with MIGC_REPLAY_CHECK=1.
# UPDATE_GOLDEN=1 tests/run gen rewrites the expected files.

strict="-std=c99 -Wall -Wextra -pedantic -Werror"

for dir in tests/gen/*/; do
	dir=${dir%/}
	name=${dir#tests/gen/}
	selected "gen: $name" || continue
	case $name in
	pg-*) dialect=postgres ;;
	*) dialect=sqlite ;;
	esac
	case $name in
	goose-* | pg-goose-*) layout=goose ;;
	dbmate-* | pg-dbmate-*) layout=dbmate ;;
	sql-migrate-* | pg-sql-migrate-*) layout=sql-migrate ;;
	golang-migrate-* | pg-golang-migrate-*) layout=golang-migrate ;;
	sqlx-* | pg-sqlx-*) layout=sqlx ;;
	flyway-dotted-* | pg-flyway-dotted-*) layout=flyway-dotted ;;
	flyway-* | pg-flyway-*) layout=flyway ;;
	refinery-* | pg-refinery-*) layout=refinery ;;
	*) layout=migc ;;
	esac
	# MIGC_REPLAY_CHECK: the replay also reads the whole schema at each
	# step and dies if the one it keeps by object (gen/mirror.c) differs.
	MIGC_REPLAY_CHECK=1 build/migc gen --dialect "$dialect" --layout "$layout" "$dir" >"$tmp/gen.c" 2>"$tmp/gen.err"
	rc=$?
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		if [ "$rc" -eq 2 ]; then
			cp "$tmp/gen.err" "$dir.err"
			rm -f "$dir.c" "$dir.warn"
		else
			rm -f "$dir.err"
			cp "$tmp/gen.c" "$dir.c"
			if [ -s "$tmp/gen.err" ]; then cp "$tmp/gen.err" "$dir.warn"; else rm -f "$dir.warn"; fi
		fi
	fi
	if [ -f "$dir.err" ]; then
		if [ "$rc" -eq 2 ] && cmp -s "$tmp/gen.err" "$dir.err"; then
			pass "gen: $name (exit 2, $(head -c 60 "$dir.err" | sed 's/.*error: //'))"
		else
			fail "gen: $name: expected exit 2 and $dir.err, got exit $rc:"
			diff "$dir.err" "$tmp/gen.err" | head -n 10 | sed 's/^/    /'
		fi
		continue
	fi
	if [ ! -f "$dir.c" ]; then
		fail "gen: $name has neither $name.c nor $name.err"
		continue
	fi
	touch "$tmp/empty"
	warn=$tmp/empty
	[ -f "$dir.warn" ] && warn=$dir.warn
	if [ "$rc" -ne 0 ] || ! cmp -s "$tmp/gen.c" "$dir.c" || ! cmp -s "$tmp/gen.err" "$warn"; then
		fail "gen: $name: output differs from $dir.c (exit $rc)"
		diff "$dir.c" "$tmp/gen.c" | head -n 10 | sed 's/^/    /'
		diff "$warn" "$tmp/gen.err" | head -n 5 | sed 's/^/    /'
	elif ! $CC $strict -Iruntime -c "$tmp/gen.c" -o "$tmp/gen.o" >"$tmp/cc.out" 2>&1; then
		fail "gen: $name: the golden C does not compile with $strict"
		head -n 10 "$tmp/cc.out" | sed 's/^/    /'
	else
		pass "gen: $name (matches $name.c, compiles with -pedantic -Werror)"
	fi
done

t_escaping_roundtrip() {
	db=$tmp/esc.db
	build/migc gen --dialect sqlite --main -o "$tmp/esc.c" tests/gen/escaping || return 1
	cbuild "$tmp/esc" "$tmp/esc.c" || return 1
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
	mg=$PWD/build/migc
	d1=$tmp/det1
	d2=$tmp/det2
	mkdir -p "$d1" "$d2"
	for f in migrations/sqlite/*.sql; do cp "$f" "$d1/"; done
	for f in $(ls migrations/sqlite/*.sql | sort -r); do cp "$f" "$d2/"; done
	build/migc gen --dialect sqlite -o "$tmp/det1.c" "$d1" || return 1
	(cd "$d2" && LC_ALL=C.UTF-8 TZ=Asia/Tokyo "$mg" gen --dialect sqlite -o "$tmp/det2.c" "$(pwd)") || return 1
	cmp "$tmp/det1.c" "$tmp/det2.c" || return 1
	build/migc gen --dialect sqlite -o "$tmp/det3.c" migrations/sqlite/ || return 1
	cmp "$tmp/det1.c" "$tmp/det3.c"
}
check "gen: byte-identical output whatever the directory order, path, locale or time zone" t_deterministic

# The replay's database is SQLite's temporary one, a file once it outgrows
# the cache: when it cannot be written (here a file-size limit stands for
# a full temporary directory), the failure says so, not only that the
# migration failed, and nothing is written.
t_replay_tmpfull() {
	d=$tmp/replaytmp-dir
	rm -rf "$d" "$tmp/replaytmp.c" && mkdir -p "$d" || return 1
	printf 'CREATE TABLE big(x);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)\n'\
'INSERT INTO big SELECT randomblob(200) FROM c;\n' >"$d/0001_big.sql"
	printf 'DROP TABLE big;\n' >"$d/0001_big.down.sql"
	(ulimit -f 2000 && expect 2 "SQLite's temporary directory (SQLITE_TMPDIR" \
		build/migc gen --dialect sqlite -o "$tmp/replaytmp.c" "$d") || return 1
	[ ! -e "$tmp/replaytmp.c" ] || { echo "an output was written"; return 1; }
	build/migc gen --dialect sqlite -o "$tmp/replaytmp.c" "$d"
}
check "gen: a replay database that cannot be written (full temporary directory) says so, exit 2, no output" t_replay_tmpfull

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

t_replay_fingerprint() {
	d=$tmp/replayfp-dir
	rm -rf "$d"
	cp -r "$base" "$d"
	embed replayfp "$d" || return 1
	grep -q '"s3:[0-9a-f]\{64\}", 0 },$' "$tmp/replayfp.c" || { echo "no fingerprint embedded"; return 1; }
	db=$tmp/replayfp.db
	rm -f "$db"
	"$tmp/replayfp" up --database "sqlite:$db" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" "$tmp/replayfp" verify --schema --database "sqlite:$db" || return 1
	# A table made by hand before the migrations ran: the recorded schema
	# has it too, but it is not what the migrations build.
	db=$tmp/replayfp2.db
	rm -f "$db"
	q "$db" "CREATE TABLE handmade (x)" || return 1
	"$tmp/replayfp" up --database "sqlite:$db" >/dev/null || return 1
	expect 3 "the schema is what version 2 left when it ran" "$tmp/replayfp" verify --schema --database "sqlite:$db" || return 1
	grep -q "but replaying the migrations at build time gave s3:" "$tmp/expect.out"
}
check "gen: the build-time replay embeds each version's schema fingerprint, and verify --schema holds the database to it" t_replay_fingerprint

# The round trip (golden sets roundtrip-good, roundtrip-lossy and
# irreversible show its findings): --strict makes each an error and
# writes nothing; after a down that did not restore, the replay starts
# again from scratch, so every version's fingerprint is what a database
# that ran only the ups has (the same set without its downs gives the
# same ones), and the database verifies against them.
t_roundtrip_strict() {
	rm -f "$tmp/strict.c"
	expect 2 "roundtrip-lossy/0002_lossy.down.sql: error: the down migration does not restore the schema from before 0002_lossy.sql: column a.y left behind" \
		build/migc gen --strict --dialect sqlite -o "$tmp/strict.c" tests/gen/roundtrip-lossy || return 1
	[ "$(grep -c ': error: ' "$tmp/expect.out")" = 4 ] || { echo "not 4 errors"; return 1; }
	if grep -q ': warning: ' "$tmp/expect.out"; then echo "--strict left a warning"; return 1; fi
	[ ! -e "$tmp/strict.c" ] || { echo "--strict wrote the output"; return 1; }
	# A set whose downs restore, one marked irreversible, and (gen
	# --no-replay runs no down) any set pass it, printing nothing.
	for args in tests/gen/roundtrip-good tests/gen/irreversible "--no-replay tests/gen/roundtrip-lossy"; do
		# shellcheck disable=SC2086
		build/migc gen --strict --dialect sqlite -o "$tmp/strict.c" $args >"$tmp/strict.out" 2>&1 ||
			{ cat "$tmp/strict.out"; echo "gen --strict $args failed"; return 1; }
		[ ! -s "$tmp/strict.out" ] || { cat "$tmp/strict.out"; echo "gen --strict $args printed something"; return 1; }
	done
}
check "gen: --strict makes each round-trip finding an error (exit 2, nothing written); a set whose downs restore passes it" t_roundtrip_strict

t_roundtrip_fingerprints() {
	d=$tmp/updownless
	rm -rf "$d"
	cp -r tests/gen/roundtrip-lossy "$d"
	rm "$d"/*.down.sql
	build/migc gen --dialect sqlite -o "$tmp/upsonly.c" "$d" 2>/dev/null || return 1
	build/migc gen --dialect sqlite --main -o "$tmp/lossy.c" tests/gen/roundtrip-lossy 2>/dev/null || return 1
	grep -o '"s3:[0-9a-f]*"' "$tmp/upsonly.c" >"$tmp/upsonly.fp"
	grep -o '"s3:[0-9a-f]*"' "$tmp/lossy.c" >"$tmp/lossy.fp"
	[ "$(wc -l <"$tmp/lossy.fp")" = 6 ] || { echo "not 6 fingerprints"; return 1; }
	cmp "$tmp/upsonly.fp" "$tmp/lossy.fp" || { echo "the round trips changed the fingerprints"; return 1; }
	cbuild "$tmp/lossy" "$tmp/lossy.c" || return 1
	rm -f "$tmp/lossy.db"
	"$tmp/lossy" up --database "sqlite:$tmp/lossy.db" >/dev/null || return 1
	expect 0 "schema: matches what the newest migration produced" "$tmp/lossy" verify --schema --database "sqlite:$tmp/lossy.db"
}
check "gen: after a down that does not restore, each version's fingerprint is still that of the ups alone" t_roundtrip_fingerprints

# A down that leaves state the schema does not show: 0002's down deletes
# the row its up inserted, but the AUTOINCREMENT counter stays, so after
# the round trip the row comes back with id 2 and 0003's reference to id 1
# fails. That is a finding about the downs (a warning, an error with
# --strict), not a build error: without round trips the set is sound, and
# its fingerprints are those of the ups alone.
t_roundtrip_leak() {
	d=$tmp/leak
	rm -rf "$d" && mkdir "$d" || return 1
	printf 'CREATE TABLE s (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);\n' >"$d/0001_s.sql"
	printf 'DROP TABLE s;\n' >"$d/0001_s.down.sql"
	printf "INSERT INTO s (name) VALUES ('first');\n" >"$d/0002_row.sql"
	printf "DELETE FROM s WHERE name = 'first';\n" >"$d/0002_row.down.sql"
	printf 'CREATE TABLE c (s_id INTEGER NOT NULL REFERENCES s(id));\nINSERT INTO c VALUES (1);\n' >"$d/0003_c.sql"
	printf 'DROP TABLE c;\n' >"$d/0003_c.down.sql"
	expect 0 "0003_c.sql: warning: fails after the round trips of the down migrations before it, not without them" \
		build/migc gen --dialect sqlite -o "$tmp/leak.c" "$d" || return 1
	grep -q '0003_c.sql: .*references a missing row of s' "$tmp/expect.out" || { echo "the failure is not shown"; return 1; }
	expect 2 "0003_c.sql: error: fails after the round trips" build/migc gen --strict --dialect sqlite -o "$tmp/leak.c" "$d" || return 1
	build/migc gen --dialect sqlite -o "$tmp/leak.c" "$d" 2>/dev/null || return 1
	rm "$d"/*.down.sql
	build/migc gen --dialect sqlite -o "$tmp/leakups.c" "$d" || return 1
	[ "$(grep -o '"s3:[0-9a-f]*"' "$tmp/leak.c")" = "$(grep -o '"s3:[0-9a-f]*"' "$tmp/leakups.c")" ] ||
		{ echo "the fingerprints differ from the ups alone"; return 1; }
}
check "gen: a down that leaves rows or counters behind, which a later up trips on, is a finding, not a build error" t_roundtrip_leak

# -- migc:no-replay: the replay skips a data migration's statements. 0002
# would fail if replayed (a duplicate key), so gen passing shows it was
# skipped; its fingerprint is 0001's; the binary still runs it.
t_noreplay() {
	d=$tmp/noreplay
	rm -rf "$d" && mkdir "$d" || return 1
	printf 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n' >"$d/0001_t.sql"
	printf -- "-- migc:no-replay\nINSERT INTO t VALUES (1, 'a');\nUPDATE t SET v = upper(v);\nINSERT INTO t VALUES (1, 'dup');\n" >"$d/0002_fill.sql"
	printf 'CREATE INDEX t_v ON t (v);\n' >"$d/0003_i.sql"
	build/migc gen --dialect sqlite --main -o "$tmp/noreplay.c" "$d" || return 1
	grep -o '"s3:[0-9a-f]*"' "$tmp/noreplay.c" >"$tmp/noreplay.fp"
	[ "$(wc -l <"$tmp/noreplay.fp")" = 3 ] && [ "$(sed -n 1p "$tmp/noreplay.fp")" = "$(sed -n 2p "$tmp/noreplay.fp")" ] &&
		[ "$(sed -n 2p "$tmp/noreplay.fp")" != "$(sed -n 3p "$tmp/noreplay.fp")" ] ||
		{ cat "$tmp/noreplay.fp"; echo "0002's fingerprint is not 0001's"; return 1; }
	cbuild "$tmp/noreplay-bin" "$tmp/noreplay.c" || return 1
	rm -f "$tmp/noreplay.db"
	expect 1 "UNIQUE constraint failed" "$tmp/noreplay-bin" up --database "sqlite:$tmp/noreplay.db" || return 1
	# Without the duplicate, up runs it for real, and the schema matches.
	printf -- "-- migc:no-replay\nINSERT INTO t VALUES (1, 'a');\nUPDATE t SET v = upper(v);\n" >"$d/0002_fill.sql"
	build/migc gen --dialect sqlite --main -o "$tmp/noreplay.c" "$d" || return 1
	cbuild "$tmp/noreplay-bin" "$tmp/noreplay.c" || return 1
	rm -f "$tmp/noreplay.db"
	"$tmp/noreplay-bin" up --database "sqlite:$tmp/noreplay.db" >/dev/null || return 1
	[ "$(sqlite3 "$tmp/noreplay.db" 'SELECT v FROM t')" = A ] || { echo "0002 did not run"; return 1; }
	expect 0 "schema: matches what the newest migration produced" "$tmp/noreplay-bin" verify --schema --database "sqlite:$tmp/noreplay.db"
}
check "gen: -- migc:no-replay skips a data migration in the replay (its fingerprint the version before), the binary runs it" t_noreplay

# What no-replay cannot skip: a statement that changes the schema is an
# error at its place, in gen, check and lint; a later migration that needs
# the skipped rows fails in the replay, which names the skipped file.
t_noreplay_refused() {
	d=$tmp/noreplay-ddl
	rm -rf "$d" && mkdir "$d" || return 1
	printf 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\n' >"$d/0001_t.sql"
	printf -- "-- migc:no-replay\nINSERT INTO t VALUES (1, 'a');\n  CREATE TABLE u (id INTEGER);\n" >"$d/0002_mixed.sql"
	for cmd in "gen --dialect sqlite -o $tmp/ddl.c" "check --dialect sqlite" "lint --dialect sqlite"; do
		# shellcheck disable=SC2086
		expect 2 "0002_mixed.sql:3:3: error: migc:no-replay: CREATE changes the schema" build/migc $cmd "$d" || return 1
	done
	printf -- "-- migc:no-replay\nINSERT INTO t VALUES (1, 'a');\n" >"$d/0002_mixed.sql"
	printf 'CREATE TABLE c (t_id INTEGER NOT NULL REFERENCES t (id));\nINSERT INTO c VALUES (1);\n' >"$d/0003_c.sql"
	expect 2 "the replay skipped the statements of 0002_mixed.sql (-- migc:no-replay)" \
		build/migc gen --dialect sqlite -o "$tmp/ddl.c" "$d" || return 1
	grep -q '0003_c.sql: .*references a missing row of t' "$tmp/expect.out" || { echo "the failure is not shown"; return 1; }
	# In a down file, in a repeatable migration, twice: errors.
	rm "$d/0003_c.sql"
	printf -- "-- migc:no-replay\nDELETE FROM t;\n" >"$d/0002_mixed.down.sql"
	expect 2 "0002_mixed.down.sql:1: error: migc:no-replay goes in the up migration" build/migc check --dialect sqlite "$d" || return 1
	rm "$d/0002_mixed.down.sql"
	printf -- "-- migc:no-replay\nCREATE VIEW v AS SELECT 1;\n" >"$d/R__v.sql"
	expect 2 "R__v.sql:1: error: migc:no-replay is for a versioned data migration" build/migc check --dialect sqlite "$d" || return 1
	rm "$d/R__v.sql"
	printf -- "-- migc:no-replay\n-- migc:no-replay\nDELETE FROM t;\n" >"$d/0002_mixed.sql"
	expect 2 "0002_mixed.sql:2:4: error: migc:no-replay is given twice (first on line 1)" build/migc check --dialect sqlite "$d" || return 1
	# The lint still reads a skipped migration.
	d=$tmp/noreplay-lint
	rm -rf "$d" && mkdir "$d" || return 1
	printf 'CREATE TABLE t (id bigint PRIMARY KEY);\n' >"$d/0001_t.sql"
	printf -- "-- migc:no-replay\nTRUNCATE t CASCADE;\n" >"$d/0002_empty.sql"
	expect 0 "0002_empty.sql:2:12: warning: ban-truncate-cascade" build/migc lint --dialect postgres "$d"
}
check "gen: -- migc:no-replay refuses a statement that changes the schema; a later migration needing its rows names it" t_noreplay_refused

# The lint's golden sets, pg-lint and lint-sqlite: per rule a file that
# breaks it (NNN0_*_bad.sql), one that does not (*_good.sql) and one that
# would but says -- migc:allow (*_allowed.sql). Their .warn files are
# checked by the golden loop above; here: each rule migc lint knows has
# findings in them, each from a _bad file; no _good or _allowed
# file has any; and without its directive each _allowed file breaks the
# rule it allows.
t_lint_rules() {
	build/migc lint --help >"$tmp/lint.help" || return 1
	rules=$(sed -n 's/^rules: //p' "$tmp/lint.help" | tr -d ',')
	[ "$(echo "$rules" | wc -w)" -ge 22 ] || { echo "too few rules: $rules"; return 1; }
	cat tests/gen/pg-lint.warn tests/gen/lint-sqlite.warn >"$tmp/lint.all"
	for r in $rules; do
		n=$(grep -c ": warning: $r: " "$tmp/lint.all")
		[ "$n" -ge 1 ] || { echo "rule $r has no finding in the golden sets"; return 1; }
		if grep ": warning: $r: " "$tmp/lint.all" | grep -vq '_bad\.sql:'; then echo "rule $r: a finding not from a _bad file"; return 1; fi
	done
	if grep -q '_good\.sql:\|_allowed\.sql:' "$tmp/lint.all"; then echo "a _good or _allowed file has a finding"; return 1; fi
	for set in pg-lint:postgres lint-sqlite:sqlite; do
		d=$tmp/lint-unallowed
		rm -rf "$d"
		cp -r "tests/gen/${set%:*}" "$d"
		for f in "$d"/*_allowed.sql; do
			sed '/migc:allow/d' "$f" >"$f.new" && mv "$f.new" "$f"
		done
		build/migc lint --dialect "${set#*:}" "$d" >"$tmp/lint.out" 2>&1 || return 1
		for f in "$d"/*_allowed.sql; do
			for r in $(sed -n 's/^-- migc:allow //p' "tests/gen/${set%:*}/${f##*/}" | tr -d ','); do
				grep -q "${f##*/}:[0-9]*:[0-9]*: warning: $r: " "$tmp/lint.out" ||
					{ echo "${f##*/} does not break $r without its directive"; return 1; }
			done
		done
	done
}
check "gen: lint: each rule has a golden file that breaks it, one that does not, and one that says migc:allow" t_lint_rules

t_lint_command() {
	expect 0 "0010_index_bad.sql:2:1: warning: require-concurrent-index-creation: CREATE INDEX on users" \
		build/migc lint --dialect postgres tests/gen/pg-lint || return 1
	cmp "$tmp/expect.out" tests/gen/pg-lint.warn || { echo "migc lint and gen differ"; return 1; }
	expect 2 "0010_index_bad.sql:2:1: error: require-concurrent-index-creation" \
		build/migc lint --strict --dialect postgres tests/gen/pg-lint || return 1
	expect 0 '{"file":"tests/gen/pg-lint/0010_index_bad.sql","line":2,"column":1,"rule":"require-concurrent-index-creation","severity":"warning","message":"CREATE INDEX on users' \
		build/migc lint --json --dialect postgres tests/gen/pg-lint || return 1
	n=$(wc -l <tests/gen/pg-lint.warn)
	[ "$(grep -o '"rule":' "$tmp/expect.out" | wc -l)" = "$n" ] || { echo "not $n findings in the JSON"; return 1; }
	expect 0 '[]' build/migc lint --json --dialect sqlite migrations/sqlite || return 1
	# --allow accepts rules in every file; an unknown rule is an error,
	# on the command line and in a file.
	build/migc lint --dialect postgres --allow require-concurrent-index-creation,ban-drop-table tests/gen/pg-lint >"$tmp/lint.out" 2>&1 || return 1
	if grep -q "require-concurrent-index-creation\|ban-drop-table" "$tmp/lint.out"; then echo "--allow did not accept them"; return 1; fi
	[ "$(wc -l <"$tmp/lint.out")" = "$((n - $(grep -c "require-concurrent-index-creation\|ban-drop-table" tests/gen/pg-lint.warn)))" ] || return 1
	expect 2 "--allow: 'no-such-rule' is no lint rule" build/migc lint --dialect postgres --allow ban-drop-table,no-such-rule tests/gen/pg-lint || return 1
	d=$tmp/lint-unknown
	rm -rf "$d"
	mig "$d" 0001_a.sql "-- migc:allow ban-drop-table, ban-dorp-column\nCREATE TABLE a (id bigint PRIMARY KEY);\n"
	expect 2 "0001_a.sql:1:31: error: migc:allow: unknown lint rule 'ban-dorp-column'" build/migc gen --dialect postgres "$d" || return 1
	expect 2 "0001_a.sql:1:31: error: migc:allow: unknown lint rule 'ban-dorp-column'" build/migc lint --dialect postgres "$d" || return 1
	# gen and check lint too: --strict makes a finding an error (gen
	# writes nothing), and check's findings are gen's.
	rm -f "$tmp/lint.c"
	expect 2 "0140_droptable_bad.sql:2:12: error: ban-drop-table" build/migc gen --strict --dialect postgres -o "$tmp/lint.c" tests/gen/pg-lint || return 1
	[ ! -e "$tmp/lint.c" ] || { echo "gen --strict wrote the output"; return 1; }
	d=$tmp/lint-check
	rm -rf "$d"
	cp -r tests/gen/pg-lint "$d"
	build/migc hash "$d" >/dev/null || return 1
	expect 0 "ok: $(ls tests/gen/pg-lint | wc -l) migrations match" build/migc check --dialect postgres "$d" || return 1
	grep -v '^ok:' "$tmp/expect.out" | sed "s|$d/|tests/gen/pg-lint/|" | cmp - tests/gen/pg-lint.warn || { echo "check's findings are not gen's"; return 1; }
	expect 2 "0140_droptable_bad.sql:2:12: error: ban-drop-table" build/migc check --strict --dialect postgres "$d" || return 1
	# check --json on exit 2: nothing on stdout, the errors on stderr.
	build/migc check --json --strict --dialect postgres "$d" >"$tmp/check.json" 2>"$tmp/check.err"
	[ $? = 2 ] && [ ! -s "$tmp/check.json" ] && grep -q "0140_droptable_bad.sql:2:12: error: ban-drop-table" "$tmp/check.err" ||
		{ echo "check --json --strict: not exit 2, empty stdout and the errors on stderr"; return 1; }
}
check "gen: migc lint prints what gen finds (text, --json), --strict, --allow, an unknown rule; check and gen lint alike" t_lint_command

t_security_bytes() {
	d=$tmp/bytes-dir
	n=$tmp/neutral-dir
	rm -rf "$d" "$n"
	mkdir -p "$d" "$n"
	# Every byte 1-255 in a comment; C's dangerous sequences in a string.
	{
		printf 'SELECT 1;\n/* '
		awk 'BEGIN { for (i = 1; i < 256; i++) printf "%c", i }'
		printf " */\nSELECT '*/ ??/ ??= \" \\\\\n#include <stdio.h>\n#define X \\\\\n/* // ';\n"
	} >"$d/0001_bytes.sql"
	# The same shape with harmless letters, for comparison.
	tr '\r' '\n' <"$d/0001_bytes.sql" | awk '{ gsub(/[^;'"'"'\/*]/, "x"); print }' >"$n/0001_bytes.sql"
	build/migc gen --dialect sqlite --no-replay --main -o "$tmp/bytes.c" "$d" 2>/dev/null || return 1
	build/migc gen --dialect sqlite --no-replay --main -o "$tmp/neutral.c" "$n" 2>/dev/null || return 1
	$CC $LDFLAGS -std=c99 -Wall -Wextra -pedantic -Werror -Wno-overlength-strings -Iruntime "$tmp/bytes.c" build/libmigc.a \
		$SQLITE_LIBS $PQ_LIBS -o "$tmp/bytes" || return 1
	# Outside string literals and numbers, the two C files are the same.
	for f in bytes neutral; do
		sed -E 's/"([^"\\]|\\.)*"/""/g; s/[0-9]+/N/g; s/[ \t]+/ /g' "$tmp/$f.c" >"$tmp/$f.shape"
	done
	cmp "$tmp/bytes.shape" "$tmp/neutral.shape" || { diff "$tmp/bytes.shape" "$tmp/neutral.shape" | head; return 1; }
	# And the binary holds every byte: show prints the canonical text.
	"$tmp/bytes" show 1 | sed '1d;$d' >"$tmp/bytes.shown"
	tr '\r' '\n' <"$d/0001_bytes.sql" >"$tmp/bytes.want"
	cmp "$tmp/bytes.shown" "$tmp/bytes.want"
}
check "security: a migration holding every byte 1-255, */, ??/, #include and line continuations changes nothing in the C but string data" t_security_bytes

# The record layout is a contract: generated C refuses to compile against
# a migc.h of another layout (the runtime's refusal of such a set at
# migc_open is api_test's "migc_open of a set of another record layout").
t_layout_mismatch() {
	layout=$(sed -n 's/^#define MIGC_LAYOUT \([0-9]*\).*/\1/p' runtime/migc.h)
	[ -n "$layout" ] || { echo "no MIGC_LAYOUT in runtime/migc.h"; return 1; }
	grep -qF "typedef char migc__layout_is_$layout[MIGC_LAYOUT == $layout ? 1 : -1];" tests/gen/basic.c ||
		{ echo "tests/gen/basic.c has no check for layout $layout"; return 1; }
	mkdir -p "$tmp/otherlayout"
	sed "s/^#define MIGC_LAYOUT $layout\\b/#define MIGC_LAYOUT $((layout - 1))/" runtime/migc.h >"$tmp/otherlayout/migc.h"
	if $CC -std=c99 -I"$tmp/otherlayout" -c tests/gen/basic.c -o "$tmp/otherlayout.o" >"$tmp/otherlayout.out" 2>&1; then
		echo "layout $layout C compiled against a layout $((layout - 1)) migc.h"
		return 1
	fi
	grep -q "migc__layout_is_$layout" "$tmp/otherlayout.out" || { cat "$tmp/otherlayout.out"; return 1; }
}
check "gen: the generated C refuses to compile against a migc.h of another record layout" t_layout_mismatch

# -- migc:lock-timeout outside gen: migc hash reads directives
# without a dialect (a bad value is still exit 2, with its place); the
# directive is file text, so in the checksum (editing it is an edit); the
# developer tool refuses it in a SQLite set before opening the database.
t_lock_timeout_elsewhere() {
	d=$tmp/locktimeout-dir
	rm -rf "$d" "$tmp/locktimeout.db"
	cp -r tests/gen/pg-lock-timeout "$d"
	build/migc hash "$d" >/dev/null || return 1
	expect 0 "ok: 6 migrations match" build/migc check --dialect postgres "$d" || return 1
	sed 's/500ms/600ms/' "$d/0001_short.sql" >"$d/0001_short.sql.new" && mv "$d/0001_short.sql.new" "$d/0001_short.sql"
	expect 3 "0001_short.sql" build/migc check --dialect postgres "$d" || return 1
	grep -q "edited" "$tmp/expect.out" || { echo "the edited directive is not reported as an edit"; return 1; }
	expect 2 "0003_twice.sql:2:4: error: migc:lock-timeout is given twice (first on line 1)" \
		build/migc check --dialect postgres tests/gen/pg-lock-timeout-bad || return 1
	expect 2 "0001_a.sql:1:4: error: migc:lock-timeout is for PostgreSQL only" \
		build/migc up --dialect sqlite --dir tests/gen/sqlite-lock-timeout --database "sqlite:$tmp/locktimeout.db" || return 1
	[ ! -e "$tmp/locktimeout.db" ] || { echo "the refused run made the database file"; return 1; }
}
check "gen: -- migc:lock-timeout in migc hash and check (in the checksum, a bad value exit 2) and refused in a SQLite set by every command" t_lock_timeout_elsewhere

# A directory without migrations: a warning naming the subdirectories
# that hold SQL files (the repository's migrations/), an error with
# --strict, and nothing written then.
t_empty_dir() {
	mkdir -p "$tmp/emptyset" || return 1
	expect 0 "$tmp/emptyset: warning: no migrations here: an empty set (a migration is NNNN_name.sql, or see --layout)" \
		build/migc gen --dialect sqlite -o "$tmp/emptyset.c" "$tmp/emptyset" || return 1
	[ -s "$tmp/emptyset.c" ] || return 1
	rm -f "$tmp/emptyset.c"
	expect 2 "$tmp/emptyset: error: no migrations here" \
		build/migc gen --strict --dialect sqlite -o "$tmp/emptyset.c" "$tmp/emptyset" || return 1
	[ ! -e "$tmp/emptyset.c" ] || { echo "gen --strict wrote an empty set"; return 1; }
	expect 2 "migrations: error: no migrations here, but SQL files in its subdirectories postgres, sqlite: name one of them" \
		build/migc gen --strict --dialect sqlite -o "$tmp/emptyset.c" migrations || return 1
	expect 0 "migrations: warning: no migrations here, but SQL files in its subdirectories postgres, sqlite" \
		build/migc lint --dialect sqlite migrations
}
check "gen: a directory with no migrations is a warning naming the subdirectories with SQL files (lint and check too), an error with --strict" t_empty_dir
