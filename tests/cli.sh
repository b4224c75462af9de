# tests/cli.sh: the command line without a database: list, show, new,
# usage errors and --help, and the demo binary under valgrind.

t_list_show() {
	expect 0 "0002_b  2 statements, down  c1:" build/migc list --dir "$base" || return 1
	expect 0 '"version":2,"name":"b","file":"0002_b.sql","down":"0002_b.down.sql","statements":2' build/migc list --json --dir "$base" || return 1
	expect 0 "INSERT INTO b VALUES (1);" build/migc show 2 --dir "$base" || return 1
	expect 0 "-- 0002_b.down.sql" build/migc show 2 --dir "$base" || return 1
	expect 2 "no migration has version 7" build/migc show 7 --dir "$base"
}
check "cli: list, list --json and show need no database" t_list_show

t_usage() {
	expect 2 "unknown command 'upp'" build/migrate upp || return 1
	expect 2 "no database: pass --database URL or set DATABASE_URL" env -u DATABASE_URL build/migrate up || return 1
	expect 2 "--to: 'abc' is not a version" build/migrate up --to abc --database "sqlite:$tmp/u.db" || return 1
	expect 2 "up --to: no migration has version 99" build/migrate up --to 99 --database "sqlite:$tmp/u.db" || return 1
	expect 2 "unknown option '--frobnicate'" build/migrate status --frobnicate || return 1
	expect 0 "usage: migrate COMMAND" build/migrate --help || return 1
	expect 0 "usage: migrate up [--to V] [--dry-run]" build/migrate up --help || return 1
	expect 2 "unsupported database URL 'mysql://bob:***@db.example/x'" build/migrate status --database 'mysql://bob:hunter2@db.example/x' || return 1
	grep -q hunter2 "$tmp/expect.out" && return 1
	expect 2 "--dialect is required" build/migc gen migrations
}
check "cli: usage errors exit 2 with a message; --help; a URL password is never printed" t_usage

# A connection string given in the wrong place (as an operand, after a
# misspelt option, as a command or another option's value) is quoted by
# the usage error without its password, by migrate and by migc.
t_usage_password() {
	for args in "up|postgres://app:S3cretPW@db/app" "status|--databse=postgres://app:S3cretPW@db/app" \
		"host=db password=S3cretPW|up" "up|--to|host=db password=S3cretPW" "status|--dialect|postgres://app:S3cretPW@db/app"; do
		# shellcheck disable=SC2046
		(IFS='|'; set -f; expect 2 "(see migrate --help)" build/migrate $args) || return 1
		grep -Eq 'S3c|retPW' "$tmp/expect.out" && { echo "printed a password"; return 1; }
		grep -qF '***' "$tmp/expect.out" || return 1
	done
	for args in "gen|--dialect|postgres|migrations/postgres|host=db password=S3cretPW" \
		"gen|--dialect|postgres|--replay-databse=postgres://app:S3cretPW@db/app|migrations/postgres" \
		"check|migrations/postgres|postgres://app:S3cretPW@db/app"; do
		(IFS='|'; set -f; expect 2 "migc: error: " build/migc $args) || return 1
		grep -Eq 'S3c|retPW' "$tmp/expect.out" && { echo "printed a password"; return 1; }
		grep -qF '***' "$tmp/expect.out" || return 1
	done
}
check "cli: a connection string in the wrong place: the usage error quotes it without its password" t_usage_password

# Each command takes its own options: every misuse is exit 2 with its
# message, before the database is opened (no file is made).
t_options() {
	u="sqlite:$tmp/opts.db"
	rm -f "$tmp/opts.db"
	expect 2 "--dry-run is for up and adopt only" build/migrate status --dry-run --database "$u" || return 1
	expect 2 "--to is for up and down only" build/migrate status --to 1 --database "$u" || return 1
	expect 2 "--to is for up and down only" build/migrate redo --to=1 --database "$u" || return 1
	expect 2 "--to: 'abc' is not a version" build/migrate down --to=abc --database "$u" || return 1
	expect 2 "--schema without a name is for verify and status (the drift check)" build/migrate up --database "$u" --schema || return 1
	expect 2 "--single-transaction is for up only" build/migrate down --single-transaction --database "$u" || return 1
	expect 2 "--single-transaction is for up only" build/migrate up --dry-run --single-transaction --database "$u" || return 1
	expect 2 "--resume is for up only, without --dry-run or --single-transaction" build/migrate up --resume --dry-run --database "$u" || return 1
	expect 2 "--resume is for up only, without --dry-run or --single-transaction" build/migrate status --resume --database "$u" || return 1
	expect 2 "--clear-failed and --accept-checksums are for repair only" build/migrate up --clear-failed 1 --database "$u" || return 1
	expect 2 "--clear-failed and --accept-checksums are for repair only" build/migrate verify --accept-checksums --database "$u" || return 1
	expect 2 "repair needs exactly one of --clear-failed V and --accept-checksums: it changes nothing without" \
		build/migrate repair --clear-failed 1 --accept-checksums --database "$u" || return 1
	expect 2 "--clear-failed: 'x' is not a version" build/migrate repair --clear-failed x --database "$u" || return 1
	expect 2 "baseline needs a version, e.g. baseline 3" build/migrate baseline --database "$u" || return 1
	expect 2 "unexpected argument '3'" build/migrate up 3 --database "$u" || return 1
	expect 2 "unexpected argument '2'" build/migrate show 1 2 3 || return 1
	expect 2 "show needs a version, e.g. show 3" build/migrate show || return 1
	expect 2 "show: 'abc' is not a version" build/migrate show abc || return 1
	expect 2 "--to is for up and down only" build/migrate list --to 3 || return 1
	expect 2 "unexpected argument '3'" build/migrate list 3 || return 1
	expect 2 "--lock-timeout: 'x' is not a number of seconds (0 to 86400)" build/migrate up --lock-timeout x --database "$u" || return 1
	expect 2 "option --lock-timeout needs a value" build/migrate up --database "$u" --lock-timeout || return 1
	expect 2 "unknown option '--json=1'" build/migrate status --json=1 --database "$u" || return 1
	expect 2 "unknown option '--dir'" build/migrate status --dir migrations --database "$u" || return 1
	expect 2 "option --dir needs a value" build/migc status --database "$u" --dir || return 1
	expect 2 "--dialect: 'mysql' is not sqlite or postgres" build/migrate list --dialect mysql || return 1
	expect 2 "(see migrate --help)" build/migrate status --dry-run --database "$u" || return 1
	expect 2 "baseline: 'x' is not a version" build/migrate baseline x --database "$u" || return 1
	[ ! -e "$tmp/opts.db" ] || { echo "a usage error opened the database"; return 1; }
}
check "cli: each command takes only its own options: a misuse is exit 2 with its message, the database untouched" t_options

# The library's messages name its API (migc_set_table, the target version
# of migc_up, migc_set_allow_out_of_order, ...); the command line says
# the flag instead, as before (issue 13; tests/unit/api_test.c holds the
# library's side).
t_flag_hints() {
	db=$tmp/hints.db
	rm -f "$db"
	build/migrate up --to 1 --database "sqlite:$db" >/dev/null || return 1
	expect 2 "migrate: error: up --to: no migration has version 99" build/migrate up --dry-run --to 99 --database "sqlite:$db" || return 1
	expect 2 "migrate: error: down --to: no migration has version 99" build/migrate down --to 99 --database "sqlite:$db" || return 1
	expect 2 "migrate: error: invalid schema (--schema) name: it must be 1 to 63 bytes" build/migrate up --schema '' --database "sqlite:$db" || return 1
	expect 2 "migrate: error: repair --clear-failed: version 1 has no failed record" \
		build/migrate repair --clear-failed 1 --database "sqlite:$db" || return 1
	grep -q migc_ "$tmp/expect.out" && return 1
	d=$tmp/hints-order
	mig "$d" 0001_a.sql "CREATE TABLE a (x);\n"
	mig "$d" 0003_c.sql "CREATE TABLE c (x);\n"
	rm -f "$tmp/order.db"
	build/migc up --dir "$d" --database "sqlite:$tmp/order.db" >/dev/null || return 1
	mig "$d" 0002_b.sql "CREATE TABLE b (x);\n"
	expect 3 "0002_b.sql is pending but older than the newest applied migration (version 3): out of order (run with --allow-out-of-order to apply it anyway)" \
		build/migc up --dir "$d" --database "sqlite:$tmp/order.db" || return 1
	rm -f "$tmp/foreign.db"
	q "$tmp/foreign.db" "CREATE TABLE migc_migrations (x)"
	expect 1 "mark): pass --table to use another name" build/migrate status --database "sqlite:$tmp/foreign.db" || return 1
	build/migrate up --database "sqlite:$db" >/dev/null || return 1
	q "$db" "UPDATE migc_migrations SET schema_fingerprint = NULL, schema_text = NULL"
	expect 3 '"error":"version 6 has no recorded schema (applied by an older migc, or its run was interrupted): run up once to record it"' \
		build/migrate verify --json --schema --database "sqlite:$db"
}
check "cli: where the library names its API, the command line names the flag (up --to, --schema, repair --clear-failed, --allow-out-of-order, --table)" t_flag_hints

# An edited migration's error gives the three ways forward, one a line,
# in the command line's words; each of them, taken, lets verify pass.
t_edited_ways() {
	db=$tmp/edited.db
	rm -f "$db"
	build/migrate up --database "sqlite:$db" >/dev/null || return 1
	old=c1:$(printf '%064d' 0)
	q "$db" "UPDATE migc_migrations SET checksum = '$old' WHERE version = 2"
	expect 3 "0002_create_rooms.sql was edited after it was applied" build/migrate verify --database "sqlite:$db" || return 1
	grep -qx "  undo the edit: the file as it was applied has $old; or" "$tmp/expect.out" &&
		grep -qx "  keep it, recording its checksum in this database: repair --accept-checksums; or" "$tmp/expect.out" &&
		grep -qx "  keep it for every database: add the line -- migc:also-accept $old at the top of 0002_create_rooms.sql" "$tmp/expect.out" ||
		{ echo "the three ways are not there, one a line"; return 1; }
	expect 3 "repair --accept-checksums" build/migrate up --database "sqlite:$db" || return 1
	# The second way, taken: verify passes.
	build/migrate repair --accept-checksums --database "sqlite:$db" >/dev/null &&
		expect 0 "ok: 6 applied migrations match this binary" build/migrate verify --database "sqlite:$db" || return 1
	# The third, taken in a copy of the set: the old checksum is accepted.
	q "$db" "UPDATE migc_migrations SET checksum = '$old' WHERE version = 2"
	d=$tmp/edited-set
	rm -rf "$d" && cp -r migrations/sqlite "$d" || return 1
	{ printf -- '-- migc:also-accept %s\n' "$old" && cat migrations/sqlite/0002_create_rooms.sql; } >"$d/0002_create_rooms.sql" &&
		build/migc hash "$d" >/dev/null || return 1
	expect 0 "accepted by -- migc:also-accept" build/migc verify --dir "$d" --database "sqlite:$db"
}
check "cli: an edited migration's error says the three ways forward, one a line (revert, repair --accept-checksums, -- migc:also-accept)" t_edited_ways

# --json on failure: verify's object carries the reason in "error" (and
# standard error the same line); a command that fails before it has an
# object (the database cannot be opened or reached) prints
# {"ok":false,"error":...}, the password left out.
t_json_errors() {
	db=$tmp/jsonerr.db
	rm -f "$db"
	build/migrate up --database "sqlite:$db" >/dev/null || return 1
	q "$db" "UPDATE migc_migrations SET checksum = 'c1:$(printf '%064d' 0)' WHERE version = 2"
	build/migrate verify --json --database "sqlite:$db" >"$tmp/json.out" 2>"$tmp/json.err"
	[ $? = 3 ] || { echo "verify --json: not exit 3"; return 1; }
	grep -q '"error":"0002_create_rooms.sql was edited after it was applied' "$tmp/json.out" ||
		{ cat "$tmp/json.out"; echo "no reason in the JSON"; return 1; }
	grep -q "^migrate: verification failed: 0002_create_rooms.sql was edited" "$tmp/json.err" ||
		{ cat "$tmp/json.err"; echo "an empty reason on standard error"; return 1; }
	for c in status verify; do
		build/migrate $c --json --database "sqlite:$tmp/no/such.db" >"$tmp/json.out" 2>/dev/null
		[ $? = 1 ] && grep -qx '{"ok":false,"error":"cannot open sqlite database '"$tmp"'/no/such.db: unable to open database file (it must exist)"}' "$tmp/json.out" ||
			{ echo "$c --json, no file:"; cat "$tmp/json.out"; return 1; }
	done
	if [ "$(cfg postgres)" = yes ]; then
		build/migrate status --json --database "postgres://u:hunter22@127.0.0.1:1/x?connect_timeout=2" >"$tmp/json.out" 2>&1
		[ $? = 1 ] && grep -q '^{"ok":false,"error":"cannot connect to PostgreSQL: ' "$tmp/json.out" ||
			{ echo "status --json, no server:"; cat "$tmp/json.out"; return 1; }
		! grep -q hunter22 "$tmp/json.out" || { echo "the password was printed"; return 1; }
	fi
}
check "cli: --json failures: verify's object and standard error say the reason; a database that cannot be opened or reached is a JSON error object" t_json_errors

# SQLite on the command line: a bare path is a SQLite file, taken as
# written; status, verify and up --dry-run on a file that does not exist
# show everything pending (as on an empty PostgreSQL database), exit 0,
# and do not make it.
t_sqlite_paths() {
	d=$tmp/paths
	rm -rf "$d" && mkdir -p "$d" || return 1
	for c in status verify "up --dry-run"; do
		# shellcheck disable=SC2086
		(cd "$d" && "$OLDPWD/build/migrate" $c --database app.db >"$d/out" 2>&1) ||
			{ cat "$d/out"; echo "$c on a missing file failed"; return 1; }
		[ ! -e "$d/app.db" ] || { echo "$c made app.db"; return 1; }
	done
	(cd "$d" && "$OLDPWD/build/migrate" status --database app.db) >"$d/out" 2>&1 || return 1
	grep -q "^database sqlite:app.db (no such file yet: nothing applied)" "$d/out" && grep -q "^0 applied, 6 pending" "$d/out" ||
		{ cat "$d/out"; return 1; }
	expect 0 "0 applied, 6 pending" build/migrate status --database "sqlite:$d/none.db" || return 1
	build/migrate status --json --database "$d/none.db" | grep -q '"pending":6' || { echo "status --json"; return 1; }
	expect 0 "ok: 0 applied migrations match this binary, 6 pending" build/migc verify --dir migrations/sqlite --database "$d/none.db" || return 1
	[ ! -e "$d/none.db" ] || { echo "a read-only command made none.db"; return 1; }
	# up makes the file; every form of bare path names the file as written.
	(cd "$d" && "$OLDPWD/build/migrate" up --database app.db >/dev/null && "$OLDPWD/build/migrate" up --database ./b.db >/dev/null) || return 1
	[ "$(q "$d/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ] && [ "$(q "$d/b.db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	build/migrate up --database "$d/what?x%41#1.db" >/dev/null || return 1
	[ -f "$d/what?x%41#1.db" ] || { echo "the bare path was not taken as written"; ls "$d"; return 1; }
	expect 0 "6 applied, 0 pending" build/migrate status --database "$d/app.db" || return 1
	# Not a path: a scheme or a keyword string stays what it was.
	expect 2 "unsupported database URL 'mysql://x'" build/migrate status --database mysql://x
}
check "cli: a bare path is a SQLite file (as written); status, verify and up --dry-run on a missing file show all pending and make nothing" t_sqlite_paths

# The developer tool's own commands (gen, new, hash, check) are in its
# help, and only there; each parses its own options.
t_devcommands() {
	expect 0 "hash [--layout L] DIR" build/migc --help || return 1
	grep -q "^  import --layout TOOL --dialect D \[--no-accept\] SRC DEST" "$tmp/expect.out" || { echo "no import in the help"; return 1; }
	grep -q "^  check --dialect D DIR \[--against FILE\] \[--json\] \[--layout L\]" "$tmp/expect.out" || return 1
	grep -q "^  gen \.\.\." "$tmp/expect.out" && grep -q "^  new NAME" "$tmp/expect.out" || return 1
	grep -q -- "--dir DIR" "$tmp/expect.out" && grep -q -- "--layout L " "$tmp/expect.out" || return 1
	expect 0 "usage: migrate COMMAND" build/migrate --help || return 1
	if grep -q "hash\|--dir\|--layout\|^  new\|^  gen\|^  check" "$tmp/expect.out"; then echo "migrate lists migc's commands"; return 1; fi
	expect 2 "unknown option '--layout'" build/migrate up --layout goose --database "sqlite:$tmp/nolayout.db" || return 1
	expect 2 "unknown command 'hash'" build/migrate hash migrations/sqlite || return 1
	expect 0 "usage: migc hash [--layout migc|goose|dbmate|sql-migrate|golang-migrate|sqlx|flyway|refinery|flyway-dotted] DIR" build/migc hash --help || return 1
	expect 0 "usage: migc new NAME" build/migc new --help || return 1
	expect 2 "--layout: 'liquibase' is not one of migc|goose|dbmate|sql-migrate|golang-migrate|sqlx|flyway|refinery" build/migc gen --dialect sqlite --layout liquibase migrations/sqlite || return 1
	expect 2 "--layout: 'frob' is not one of migc|goose|dbmate|sql-migrate|golang-migrate|sqlx|flyway|refinery" build/migc status --layout frob --dir migrations/sqlite --database "sqlite:$tmp/nolayout.db" || return 1
	[ ! -e "$tmp/nolayout.db" ] || { echo "a bad --layout created the database"; return 1; }
	expect 0 "usage: migc check --dialect sqlite|postgres DIR" build/migc check --help || return 1
	expect 0 "usage: migc gen --dialect" build/migc gen --help || return 1
	expect 2 "unknown option '--frob'" build/migc check --dialect sqlite --frob migrations/sqlite || return 1
	expect 2 "new must come first: the options after it are its own" build/migc --dir "$tmp" new x || return 1
	[ ! -e "$tmp/0001_x.sql" ] || return 1
	expect 0 "usage: migc up [--to V]" build/migc up --help
}
check "cli: migc's own commands are in its help and parse their own options; migrate has none of them" t_devcommands

# helpopts CMD...: the options (--name) that `migc CMD --help` lists.
helpopts() {
	build/migc "$@" --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p'
}

# Each command's help: its own options, then those it shares with the
# others, and only those; help COMMAND prints the same.
t_command_help() {
	for c in status up down redo verify list show baseline adopt repair version; do
		expect 0 "usage: migc $c" build/migc "$c" --help || return 1
		build/migc help "$c" >"$tmp/help.out" && cmp -s "$tmp/help.out" "$tmp/expect.out" ||
			{ echo "help $c is not $c --help"; return 1; }
	done
	for c in gen hash check lint import new; do
		build/migc "$c" --help >"$tmp/help.want" && build/migc help "$c" >"$tmp/help.out" &&
			cmp -s "$tmp/help.out" "$tmp/help.want" || { echo "help $c is not $c --help"; return 1; }
	done
	helpopts up >"$tmp/up.opts"
	for o in --to --dry-run --single-transaction --resume --database --table --lock-timeout --ddl-lock-timeout --dir --layout --dialect; do
		grep -qx -- "$o" "$tmp/up.opts" || { echo "up --help lacks $o"; return 1; }
	done
	for o in --drift --json --from --clear-failed; do
		! grep -qx -- "$o" "$tmp/up.opts" || { echo "up --help lists $o"; return 1; }
	done
	helpopts status >"$tmp/status.opts"
	grep -qx -- --drift "$tmp/status.opts" && grep -qx -- --json "$tmp/status.opts" &&
		grep -qx -- --database "$tmp/status.opts" || { echo "status --help:"; cat "$tmp/status.opts"; return 1; }
	! grep -qx -- --lock-timeout "$tmp/status.opts" || { echo "status --help lists --lock-timeout"; return 1; }
	helpopts list >"$tmp/list.opts"
	! grep -qx -- --database "$tmp/list.opts" && grep -qx -- --json "$tmp/list.opts" || { echo "list --help:"; cat "$tmp/list.opts"; return 1; }
	expect 0 "--from TOOL" build/migc adopt --help || return 1
	# An embedded binary's help has no --dir or --layout: it reads no directory.
	expect 0 "usage: migrate up" build/migrate up --help || return 1
	! grep -q -- "--dir\|--layout" "$tmp/expect.out" || { echo "migrate up --help lists --dir"; return 1; }
	expect 2 "unknown command 'frob'" build/migc help frob || return 1
	expect 2 "help takes one command, or --man" build/migc help up down || return 1
	# --json and --drift are refused where the help does not list them.
	expect 2 "--json is for status, verify and list" build/migrate up --json --database "sqlite:$tmp/help.db" || return 1
	expect 2 "--drift is for verify and status (the drift check)" build/migrate up --drift --database "sqlite:$tmp/help.db" || return 1
	[ ! -e "$tmp/help.db" ] || { echo "a refused option created the database"; return 1; }
	# --drift is the drift check; --schema without a name still is.
	build/migrate up --database "sqlite:$tmp/help.db" >/dev/null || return 1
	q "$tmp/help.db" "CREATE TABLE by_hand (x)"
	expect 3 "by_hand" build/migrate verify --drift --database "sqlite:$tmp/help.db" || return 1
	expect 3 "by_hand" build/migrate verify --schema --database "sqlite:$tmp/help.db"
}
check "cli: each command's --help (and help COMMAND) lists its own options and the shared ones it takes, and only those" t_command_help

# Every option a command's help lists, given to that command, is taken:
# neither unknown nor refused as another command's (the run may then fail
# for other reasons: an empty set, a SQLite set given a PostgreSQL option).
t_help_parses() {
	mkdir -p "$tmp/hp" && cp migrations/sqlite/*.sql migrations/sqlite/migc.sum "$tmp/hp/" || return 1
	n=0
	for c in status up down redo verify list show baseline adopt repair; do
		for o in $(helpopts "$c"); do
			case $o in
			--to|--clear-failed) v=1 ;; --lock-timeout|--ddl-retries) v=1 ;;
			--ddl-lock-timeout|--statement-timeout) v=1s ;; --database) v=sqlite:$tmp/hp.db ;;
			--dir) v=$tmp/hp ;; --layout) v=migc ;; --dialect) v=sqlite ;; --from) v=goose ;;
			--table|--schema|--from-table|--ignore-table) v=x ;; *) v= ;;
			esac
			set -- "$c" $o ${v:+"$v"}
			case $c in show|baseline) set -- "$@" 1 ;; esac
			case $c:$o in repair:--clear-failed|repair:--accept-checksums) ;; repair:*) set -- "$@" --accept-checksums ;; esac
			case $c:$o in adopt:--from) ;; adopt:*) set -- "$@" --from goose ;; esac
			case $o in --database) ;; *) set -- "$@" --database "sqlite:$tmp/hp.db" ;; esac
			case $o in --dir) ;; *) set -- "$@" --dir "$tmp/hp" ;; esac
			build/migc "$@" >"$tmp/hp.out" 2>&1
			if grep -E "unknown option|(is|are) for [a-z]+ (only|and)|drift check" "$tmp/hp.out"; then
				echo "migc $*: refused an option its help lists"
				return 1
			fi
			n=$((n + 1))
		done
	done
	[ "$n" -gt 100 ] || { echo "only $n options tried"; return 1; }
}
check "cli: every option a command's --help lists is one that command takes" t_help_parses

# The manual page comes from the same tables: every command and option of
# the help is in it, and groff reads it without a warning.
t_manpage() {
	build/migc help --man >"$tmp/migc.1" && cmp -s "$tmp/migc.1" build/migc.1 || { echo "build/migc.1 is not help --man"; return 1; }
	groff -man -Tutf8 -ww -z "$tmp/migc.1" 2>"$tmp/groff.err" && [ ! -s "$tmp/groff.err" ] ||
		{ cat "$tmp/groff.err"; return 1; }
	groff -man -Tascii -P-bcou -rLL=200n "$tmp/migc.1" >"$tmp/migc.txt" 2>/dev/null || return 1
	build/migc --help >"$tmp/help.out" || return 1
	sed -n 's/^  \([a-z]*\)\( .*\)\{0,1\}$/\1/p' "$tmp/help.out" >"$tmp/help.cmds"
	[ "$(wc -l <"$tmp/help.cmds")" -ge 17 ] || { echo "commands in --help:"; cat "$tmp/help.cmds"; return 1; }
	while read -r c; do
		grep -q "^       $c\b" "$tmp/migc.txt" || { echo "the man page lacks the command $c"; return 1; }
	done <"$tmp/help.cmds"
	for o in $(sed -n 's/^  \(--[a-z-]*\).*/\1/p' "$tmp/help.out"); do
		grep -q -- "$o\b" "$tmp/migc.txt" || { echo "the man page lacks $o"; return 1; }
	done
	grep -q "EXIT STATUS" "$tmp/migc.txt" && grep -q -- "--replay-database" "$tmp/migc.txt"
}
check "cli: the man page (help --man, build/migc.1) has every command and option of --help and formats without a warning" t_manpage

# migc version: what this migc is, as migc.h and the libraries say.
t_version() {
	v=$(sed -n 's/^#define MIGC_VERSION *"\(.*\)"$/\1/p' runtime/migc.h)
	l=$(sed -n 's/^#define MIGC_LAYOUT \([0-9]*\).*/\1/p' runtime/migc.h)
	expect 0 "migc $v" build/migc version || return 1
	grep -qx "record layout $l, tracking table layout 2" "$tmp/expect.out" || { cat "$tmp/expect.out"; return 1; }
	grep -qx "sqlite: SQLite $(pkg-config --modversion sqlite3)" "$tmp/expect.out" || { cat "$tmp/expect.out"; return 1; }
	if [ "$(cfg postgres)" = yes ]; then
		grep -qx "postgres: libpq $(pkg-config --modversion libpq)" "$tmp/expect.out" || { cat "$tmp/expect.out"; return 1; }
	fi
	build/migc --version >"$tmp/v2.out" && cmp -s "$tmp/v2.out" "$tmp/expect.out" || { echo "--version is not version"; return 1; }
	# A binary built with migc says what it embeds; version needs no --dir.
	(cd "$tmp" && "$OLDPWD/build/migc" version >/dev/null) || { echo "migc version read migrations/"; return 1; }
	expect 0 "sqlite: SQLite $(pkg-config --modversion sqlite3), $(build/migrate list --dialect sqlite | wc -l) migrations embedded" build/migrate version
}
check "cli: migc version (and --version) names migc, the record and tracking table layouts and the database libraries" t_version

t_new() {
	d=$tmp/new
	cp -r "$base" "$d"
	expect 0 "created $d/0003_add_index.sql" build/migc new add_index --dir "$d" || return 1
	[ -f "$d/0003_add_index.down.sql" ] || return 1
	expect 2 "invalid migration name 'bad name'" build/migc new 'bad name' --dir "$d" || return 1
	expect 0 "0003_add_index  0 statements" build/migc list --dir "$d"
}
check "cli: migc new creates the next numbered up and down files" t_new

# new makes a missing directory, and writes migc.sum again when there is
# one, so that the next gen does not stop at a file the manifest lacks.
t_new_sum() {
	d=$tmp/newsum/a/b
	rm -rf "$tmp/newsum"
	expect 0 "created $d/" build/migc new init --dir "$d" || return 1
	[ -f "$d/0001_init.sql" ] && [ -f "$d/0001_init.down.sql" ] && [ ! -e "$d/migc.sum" ] ||
		{ echo "new made no sum, or no files"; ls -la "$d"; return 1; }
	grep -q "each statement ended by ';'" "$d/0001_init.sql" && grep -q "migc:irreversible" "$d/0001_init.down.sql" ||
		{ echo "the templates say nothing"; cat "$d"/*; return 1; }
	printf 'CREATE TABLE t (x);\n' >"$d/0001_init.sql" && printf 'DROP TABLE t;\n' >"$d/0001_init.down.sql" &&
		build/migc hash "$d" >/dev/null || return 1
	expect 0 "wrote $d/migc.sum (2 migrations)" build/migc new users --dir "$d" || return 1
	expect 0 "ok: 2 migrations match $d/migc.sum" build/migc check --dialect sqlite "$d" || return 1
	build/migc gen --dialect sqlite -o "$tmp/newsum.c" "$d" 2>"$tmp/newsum.err" ||
		{ cat "$tmp/newsum.err"; echo "gen stopped after new"; return 1; }
	# A directory with an error: the files are made, the sum is not
	# written, and new says so (exit 2).
	cp "$d/migc.sum" "$tmp/newsum.before"
	printf -- '-- migc:frobnicate\n' >"$d/0002_users.sql"
	expect 2 "$d/migc.sum was not updated: fix the above, then run migc hash $d" build/migc new posts --dir "$d" || return 1
	[ -f "$d/0003_posts.sql" ] && cmp -s "$d/migc.sum" "$tmp/newsum.before" || { echo "the sum changed"; return 1; }
	# A path through a file is no directory, and nothing is made.
	: >"$tmp/newsum/file"
	expect 2 "$tmp/newsum/file/x: cannot open migration directory: Not a directory" build/migc new x --dir "$tmp/newsum/file/x"
}
check "cli: migc new makes a missing directory and writes an existing migc.sum again (not when the directory has errors)" t_new_sum

# hash, check, lint and gen take --dir DIR like every other command, and
# keep the operand; not both.
t_dir_option() {
	d=$tmp/diropt
	rm -rf "$d" && cp -r migrations/sqlite "$d" || return 1
	expect 0 "wrote $d/migc.sum (6 migrations)" build/migc hash --dir "$d" || return 1
	expect 0 "ok: 6 migrations match $d/migc.sum" build/migc check --dialect sqlite --dir "$d" || return 1
	build/migc lint --dialect sqlite --dir "$d" >/dev/null 2>&1 || { echo "lint --dir failed"; return 1; }
	build/migc gen --dialect sqlite --dir "$d" -o "$tmp/diropt.c" && build/migc gen --dialect sqlite -o "$tmp/diropt2.c" "$d" &&
		cmp -s "$tmp/diropt.c" "$tmp/diropt2.c" || { echo "gen --dir is not gen DIR"; return 1; }
	for c in "check --dialect sqlite" "lint --dialect sqlite" "gen --dialect sqlite"; do
		# shellcheck disable=SC2086
		expect 2 "one directory only: 'migrations/sqlite' comes after another (DIR or --dir DIR)" \
			build/migc $c "$d" --dir migrations/sqlite || return 1
	done
	expect 2 "one directory only" build/migc hash "$d" --dir migrations/sqlite
}
check "cli: hash, check, lint and gen take --dir DIR as well as the DIR operand, and refuse both" t_dir_option

t_valgrind() {
	command -v valgrind >/dev/null || { echo "valgrind is not installed"; return 1; }
	# The demo binary built without sanitizers (valgrind cannot run ASan builds).
	runtime=$(sh tests/sources.sh build/libmigc.a) || return 1
	# shellcheck disable=SC2086
	$CC -std=c99 -O1 -g -Iruntime $SQLITE_CFLAGS $PQ_CFLAGS $PG_DEFINE migrations/demo.c build/demo_sqlite.c build/demo_postgres.c \
		$runtime $SQLITE_LIBS $PQ_LIBS -o "$tmp/migrate-plain" || return 1
	db=$tmp/valgrind.db
	rm -f "$db"
	for cmd in up status "verify --schema" "status --json" "down --to 0" "up --to 3"; do
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			"$tmp/migrate-plain" $cmd --database "sqlite:$db" >/dev/null 2>"$tmp/vg.err"
		st=$?
		if [ $st -ne 0 ]; then
			echo "valgrind: $cmd: exit $st"
			head -n 20 "$tmp/vg.err"
			return 1
		fi
	done
}
check "demo: up, status, verify --schema, down run valgrind-clean (no errors, no leaks)" t_valgrind
