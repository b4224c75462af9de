# tests/import.sh: migc import, the one-time conversion of another tool's
# directory into migc's layout. Every golden directory of another tool's
# layout (tests/gen/TOOL-*, pg-TOOL-* on PostgreSQL) is imported, and the
# result must read as the original does (the same statements, names and
# options), apply to a real database as the original does (up, down, up),
# and verify on a database that migc migrated with --layout TOOL. Then
# what import refuses, with DEST left as it was.

mkdir -p "$tmp/$B"

# fixturelayout NAME: the --layout of tests/gen/NAME, as gen.sh reads it.
fixturelayout() {
	case ${1#pg-} in
	goose-*) echo goose ;;
	dbmate-*) echo dbmate ;;
	sql-migrate-*) echo sql-migrate ;;
	golang-migrate-*) echo golang-migrate ;;
	sqlx-*) echo sqlx ;;
	flyway-dotted-*) echo flyway-dotted ;;
	flyway-*) echo flyway ;;
	refinery-*) echo refinery ;;
	esac
}

# userdump URL: schema and rows without migc's tracking tables.
userdump() {
	case $1 in
	sqlite:*)
		cp "${1#sqlite:}" "$tmp/userdump.db" &&
			sqlite3 "$tmp/userdump.db" "DROP TABLE migc_migrations; DROP TABLE IF EXISTS migc_migrations_repeatable" && sqlite3 "$tmp/userdump.db" .dump
		;;
	*) "$PGBIN/pg_dump" --no-owner -T 'migc_*' -d "$1" | grep -v '^--\|^\\restrict\|^\\unrestrict' ;;
	esac
}

# samedb A B WHEN: A and B hold the same schema and rows.
samedb() {
	userdump "$1" >"$tmp/dump.a" && userdump "$2" >"$tmp/dump.b" || return 1
	grep -q 'CREATE' "$tmp/dump.a" || { echo "$3: nothing was created"; return 1; }
	cmp -s "$tmp/dump.a" "$tmp/dump.b" && return 0
	echo "$3: the databases differ:"
	diff "$tmp/dump.a" "$tmp/dump.b" | head -n 20
	return 1
}

# asread ARGS...: migc list --json and up --dry-run of a directory (on an
# empty database), without the file names and checksums, which import
# changes, and the number of statements (a block the tool sends as one
# may be several in migc's layout, in the same transaction): the SQL,
# names and options remain.
asread() {
	build/migc list --json "$@" |
		sed 's/"\(file\|down\|checksum\|hash\)":"[^"]*"/"\1":_/g; s/"down":null/"down":_/g; s/"statements":[0-9]*/"statements":_/g'
	build/migc up --dry-run --database "$empty" "$@" | sed 's/^-- [^ ]*/-- FILE/'
}

# t_import_fixtures: each golden directory of another tool's layout.
t_import_fixtures() {
	n=0 downs=0
	empty=$(newdb import-empty)
	[ "$B" = postgres ] || sqlite3 "${empty#sqlite:}" 'SELECT 1' >/dev/null
	for dir in tests/gen/*/; do
		dir=${dir%/}
		fx=${dir#tests/gen/}   # not $fx: check() reports the case by it
		layout=$(fixturelayout "$fx")
		[ -n "$layout" ] && [ -f "$dir.c" ] || continue
		case $B:$fx in
		sqlite:pg-* | postgres:[!p]* | postgres:p[!g]*) continue ;;
		esac
		dialect=$(pick sqlite postgres)
		dest=$tmp/$B/import/$fx
		rm -rf "$dest"
		mkdir -p "$tmp/$B/import"
		expect 0 "migc: imported" build/migc import --layout "$layout" --dialect "$dialect" "$dir" "$dest" >"$tmp/import.out" ||
			{ cat "$tmp/import.out"; return 1; }
		asread --dialect "$dialect" --layout "$layout" --dir "$dir" >"$tmp/read.a" 2>&1 &&
			asread --dialect "$dialect" --dir "$dest" >"$tmp/read.b" 2>&1 ||
			{ echo "$fx: reading failed"; cat "$tmp/read.a" "$tmp/read.b"; return 1; }
		if ! cmp -s "$tmp/read.a" "$tmp/read.b"; then
			echo "$fx: migc reads the imported files otherwise:"
			diff "$tmp/read.a" "$tmp/read.b" | head -n 20
			return 1
		fi
		grep -q '^CREATE' "$tmp/read.b" || { echo "$fx: no statements read"; return 1; }
		theirs=$(newdb "import-$fx-theirs") ours=$(newdb "import-$fx-ours")
		build/migc up --layout "$layout" --dir "$dir" --database "$theirs" >"$tmp/up.out" 2>&1 &&
			build/migc up --dir "$dest" --database "$ours" >>"$tmp/up.out" 2>&1 ||
			{ echo "$fx: up failed"; cat "$tmp/up.out"; return 1; }
		samedb "$theirs" "$ours" "$fx, after up" || return 1
		# A database migc migrated with --layout verifies against the imported files.
		expect 0 "match this binary" build/migc verify --dir "$dest" --database "$theirs" >"$tmp/verify.out" ||
			{ echo "$fx:"; cat "$tmp/verify.out"; return 1; }
		expect 0 "nothing to apply" build/migc up --dir "$dest" --database "$theirs" >/dev/null || return 1
		if ! build/migc list --json --dialect "$dialect" --layout "$layout" --dir "$dir" | grep -q '"down":null'; then
			build/migc down --to 0 --layout "$layout" --dir "$dir" --database "$theirs" >"$tmp/down.out" 2>&1 &&
				build/migc down --to 0 --dir "$dest" --database "$ours" >>"$tmp/down.out" 2>&1 ||
				{ echo "$fx: down failed"; cat "$tmp/down.out"; return 1; }
			[ "$(versions "$ours")" = "" ] || { echo "$fx: down left $(versions "$ours")"; return 1; }
			userdump "$theirs" >"$tmp/dump.a" && userdump "$ours" >"$tmp/dump.b" && cmp -s "$tmp/dump.a" "$tmp/dump.b" ||
				{ echo "$fx: the databases differ after down"; diff "$tmp/dump.a" "$tmp/dump.b" | head; return 1; }
			build/migc up --dir "$dest" --database "$ours" >/dev/null 2>&1 &&
				build/migc up --layout "$layout" --dir "$dir" --database "$theirs" >/dev/null 2>&1 || return 1
			samedb "$theirs" "$ours" "$fx, after up again" || return 1
			downs=$((downs + 1))
		fi
		n=$((n + 1))
	done
	[ "$n" -ge "$(pick 9 6)" ] && [ "$downs" -ge 2 ] || { echo "only $n directories imported ($downs reverted)"; return 1; }
	echo "$n directories imported, $downs of them reverted and applied again"
}
check "[$B] import: every golden directory of another tool's layout reads, applies, reverts and verifies as the original" t_import_fixtures

# t_import_table: the table names each file, and what changed in it.
t_import_table() {
	dest=$tmp/$B/import-table
	rm -rf "$dest"
	expect 0 "20240101120001_empty_down.sql, 20240101120001_empty_down.down.sql; goose's marks left out" \
		build/migc import --layout goose --dialect sqlite tests/gen/goose-basic "$dest" || return 1
	grep -q "^2  *00002_b.sql  *00002_b.sql, 00002_b.down.sql; goose's marks left out; -- migc:no-transaction in both; also accepts c1:ea6eba6d" \
		"$tmp/expect.out" || { echo "no line for 00002_b.sql"; return 1; }
	grep -q '(no down migration)' "$tmp/expect.out" || return 1
	head -n 2 "$dest/00002_b.sql" | grep -q '^-- migc:no-transaction$' || { cat "$dest/00002_b.sql"; return 1; }
	! grep -q 'goose' "$dest/00002_b.sql" "$dest/00002_b.down.sql" || { echo "a goose mark was left"; return 1; }
	# golang-migrate's files change only their names: nothing to accept.
	dest=$tmp/$B/import-gm
	rm -rf "$dest"
	expect 0 "000001_users.sql, 000001_users.down.sql" \
		build/migc import --layout golang-migrate --dialect sqlite tests/gen/golang-migrate-basic "$dest" || return 1
	cmp -s "$dest/000001_users.sql" tests/gen/golang-migrate-basic/000001_users.up.sql || return 1
	! grep -q 'also accepts' "$tmp/expect.out" || return 1
	# sqlx recorded each file's SHA-384: adopt must see the files as sqlx did.
	dest=$tmp/$B/import-sqlx
	rm -rf "$dest"
	expect 0 "migc: note: sqlx recorded a checksum of each file as it was: adopt sqlx's databases with the files of SRC" \
		build/migc import --layout sqlx --dialect sqlite tests/gen/sqlx-simple "$dest" || return 1
	# --no-accept: a team that never ran migc on the old layout.
	dest=$tmp/$B/import-noaccept
	rm -rf "$dest"
	expect 0 "migc: imported 4 migrations" build/migc import --no-accept --layout goose --dialect sqlite \
		tests/gen/goose-basic "$dest" || return 1
	! grep -q 'also-accept' "$dest"/*.sql || { echo "--no-accept wrote also-accept"; return 1; }
}
check "[$B] import: prints a table of each file and what changed; an unchanged file accepts nothing; --no-accept" t_import_table

# t_import_refusals: what import refuses leaves DEST as it was.
t_import_refusals() {
	dest=$tmp/$B/import-refuse
	rm -rf "$dest"
	build/migc import --layout goose --dialect sqlite tests/gen/goose-basic "$dest" >/dev/null || return 1
	ls -l "$dest" >"$tmp/before"
	cat "$dest"/* | cksum >>"$tmp/before"
	expect 1 "already holds" build/migc import --layout goose --dialect sqlite tests/gen/goose-basic "$dest" || return 1
	ls -l "$dest" >"$tmp/after"
	cat "$dest"/* | cksum >>"$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" || { echo "DEST changed"; return 1; }
	# A StatementBegin block of two statements: sent one by one in its
	# transaction, and outside one on SQLite (each commits on its own
	# either way), but refused outside one on PostgreSQL, which runs the
	# block as one implicit transaction.
	src=$tmp/$B/import-block
	mig "$src" 1_a.sql "-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (x INTEGER);\nCREATE TABLE b (x INTEGER);\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE b;\nDROP TABLE a;\n"
	rm -rf "$src-dest" "$src-notx"
	expect 0 "1 block sent statement by statement, which runs the same here" \
		build/migc import --layout goose --dialect postgres "$src" "$src-dest" || return 1
	mig "$src" 1_a.sql "-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (x INTEGER);\nCREATE TABLE b (x INTEGER);\n-- +goose StatementEnd\n-- +goose Down\nDROP TABLE b;\nDROP TABLE a;\n"
	expect 0 "1 block sent statement by statement" build/migc import --layout goose --dialect sqlite "$src" "$src-notx" ||
		return 1
	expect 2 "1_a.sql:4:1: error: cannot import the up section: it runs outside a transaction, where goose sends this block as one statement, which PostgreSQL runs as one implicit transaction" \
		build/migc import --layout goose --dialect postgres "$src" "$tmp/$B/import-notx-dest" || return 1
	[ ! -e "$tmp/$B/import-notx-dest" ] || { echo "DEST was left behind"; return 1; }
	ls -a "$tmp/$B" | grep -q 'migc-import' && { echo "a temporary directory was left behind"; return 1; }
	# An existing, empty DEST keeps nothing of a failed import either.
	mkdir -p "$tmp/$B/import-notx-dest"
	expect 2 "nothing imported" build/migc import --layout goose --dialect postgres "$src" "$tmp/$B/import-notx-dest" || return 1
	[ -z "$(ls -A "$tmp/$B/import-notx-dest")" ] || { ls -A "$tmp/$B/import-notx-dest"; return 1; }
	# SRC with errors, SRC that does not match its migc.sum, bad options.
	expect 2 "error:" build/migc import --layout goose --dialect sqlite tests/gen/goose-errors "$tmp/$B/x" || return 1
	[ ! -e "$tmp/$B/x" ] || return 1
	src=$tmp/$B/import-sum
	rm -rf "$src"
	cp -r tests/gen/goose-basic "$src"
	build/migc hash --layout goose "$src" >/dev/null || return 1
	sed "s/CREATE TABLE b (x INTEGER)/CREATE TABLE b (x BIGINT)/" tests/gen/goose-basic/00002_b.sql >"$src/00002_b.sql"
	expect 3 "does not match" build/migc import --layout goose --dialect sqlite "$src" "$tmp/$B/x" || return 1
	[ ! -e "$tmp/$B/x" ] || return 1
	expect 2 "is migc's own layout" build/migc import --layout migc --dialect sqlite tests/gen/basic "$tmp/$B/x" || return 1
	expect 2 "--dialect is required" build/migc import --layout goose tests/gen/goose-basic "$tmp/$B/x" || return 1
	expect 2 "--layout is required" build/migc import --dialect sqlite tests/gen/goose-basic "$tmp/$B/x" || return 1
	: >"$tmp/$B/afile"
	expect 1 "is not a directory" build/migc import --layout goose --dialect sqlite tests/gen/goose-basic "$tmp/$B/afile" ||
		return 1
	[ ! -s "$tmp/$B/afile" ]
}
check "[$B] import: refuses to overwrite, a block outside a transaction that migc's layout would cut, a bad SRC or migc.sum: nothing written" t_import_refusals

# t_import_sum: SRC's migc.sum becomes DEST's, which migc check accepts.
t_import_sum() {
	src=$tmp/$B/import-withsum
	rm -rf "$src" "$src-dest"
	cp -r tests/gen/dbmate-basic "$src"
	build/migc hash --layout dbmate "$src" >/dev/null || return 1
	expect 0 "migc: imported 3" build/migc import --layout dbmate --dialect sqlite "$src" "$src-dest" || return 1
	expect 0 "ok: 3 migrations match" build/migc check --dialect sqlite "$src-dest"
}
check "[$B] import: SRC's migc.sum is written for DEST, and migc check DEST passes" t_import_sum

# t_import_readback: what migc's layout would refuse in a converted file is
# reported at the SRC file and line it comes from, never at the temporary
# copy; a name that migc's layout would read as another kind of file is
# refused before anything is written.
t_import_readback() {
	src=$tmp/$B/import-readback
	rm -rf "$src" "$src-dest"
	# The down file would start with sqlx's mark, which migc's layout refuses.
	mig "$src" 1_a.sql "-- +goose Up\nCREATE TABLE a (x INTEGER);\n-- +goose Down\n-- no-transaction needed here\nDROP TABLE a;\n"
	expect 2 "1_a.sql:4:1: error: cannot import: migc's layout would refuse 1_a.down.sql as converted: is a sqlx migration" \
		build/migc import --layout goose --dialect sqlite "$src" "$src-dest" || return 1
	! grep -q 'migc-import' "$tmp/expect.out" || { echo "the message names the temporary copy"; return 1; }
	[ ! -e "$src-dest" ] || return 1
	rm -rf "$src"
	mig "$src" V1__a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$src" V2__b.down.sql "CREATE TABLE b (x INTEGER);\n"
	expect 2 "V2__b.down.sql: error: cannot import: its name b.down ends in .down" \
		build/migc import --layout flyway --dialect sqlite "$src" "$src-dest" || return 1
	[ ! -e "$src-dest" ]
}
check "[$B] import: what migc's layout would refuse in a converted file is reported at SRC's file and line; a name ending in .down is refused" t_import_readback

# t_import_stopped: SIGINT while import writes a large set leaves nothing:
# no DEST, no temporary directory; import dies of the signal. A DEST that
# cannot be read cannot be shown to hold no migrations: refused.
t_import_stopped() {
	src=$tmp/$B/import-big
	rm -rf "$src" "$src-dest"
	mkdir -p "$src"
	awk -v d="$src" 'BEGIN { for (i = 1; i <= 3000; i++) { f = sprintf("%s/%05d_m%d.sql", d, i, i)
		printf "-- +goose Up\nCREATE TABLE t%d (x INTEGER);\n-- +goose Down\nDROP TABLE t%d;\n", i, i > f; close(f) } }'
	env --default-signal=INT build/migc import --layout goose --dialect sqlite "$src" "$src-dest" >"$tmp/import.out" 2>&1 &
	pid=$!
	n=0
	until ls -d "$tmp/$B/".import-big-dest.migc-import-* >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt 2000 ] || { kill -KILL $pid; echo "import never began writing"; return 1; }
		sleep 0.01
	done
	kill -INT $pid
	wait $pid
	st=$?
	[ $st = 130 ] || { echo "exit status $st, expected 130 (did it finish before the signal?)"; cat "$tmp/import.out"; return 1; }
	[ ! -e "$src-dest" ] || { echo "DEST was left behind"; return 1; }
	! ls -d "$tmp/$B/".import-big-dest.migc-import-* 2>/dev/null || { echo "the temporary directory was left behind"; return 1; }
	# A DEST that migc may write but not list.
	dest=$tmp/$B/import-unreadable
	rm -rf "$dest"
	mkdir -p "$dest"
	printf 'CREATE TABLE old (x INTEGER);\n' >"$dest/0009_old.sql"
	chown -R nobody "$dest" 2>/dev/null
	chmod 333 "$dest"
	expect 1 "cannot read $dest" asnobody build/migc import --layout goose --dialect sqlite tests/gen/goose-basic "$dest" || return 1
	chmod 755 "$dest"
	[ "$(ls "$dest")" = 0009_old.sql ] || { ls "$dest"; return 1; }
}
check "[$B] import: SIGINT while it writes leaves no DEST and no temporary directory; a DEST it cannot list is refused" t_import_stopped
