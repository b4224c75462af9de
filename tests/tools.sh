# tests/tools.sh: the other migration tools, run for real on the files
# migc reads in their layouts: dbmate (the npm package, version pinned by
# .ci/run, in build/tools) and sql-migrate (Debian's). The tool applies a
# set to one database, migc (--layout) the same files to another; the
# schemas and rows must be the same after up, after one step down, and
# after up again.

DBMATE=${DBMATE:-build/tools/node_modules/.bin/dbmate}
DBMATE_VERSION=2.36.0

# userschema URL: the schema and rows, without the tools' tracking tables.
userschema() {
	case $1 in
	sqlite:*)
		q "$1" "SELECT type, name, sql FROM sqlite_schema WHERE name NOT IN ('schema_migrations', 'gorp_migrations')
			AND name NOT LIKE 'migc_%' AND name NOT LIKE 'sqlite_%' ORDER BY name"
		;;
	*)
		"$PGBIN/pg_dump" --schema-only --no-owner -T schema_migrations -T gorp_migrations -T 'migc_*' -d "$1" |
			grep -v '^--\|^\\restrict\|^\\unrestrict'
		;;
	esac
	q "$1" "SELECT id, name FROM users ORDER BY id"
	q "$1" "SELECT msg FROM log ORDER BY msg"
}

# sameschema A B WHEN: A's and B's user schemas and rows are the same.
sameschema() {
	userschema "$1" >"$tmp/schema.a" && userschema "$2" >"$tmp/schema.b" || return 1
	[ -s "$tmp/schema.a" ] || { echo "$3: no schema read"; return 1; }
	cmp -s "$tmp/schema.a" "$tmp/schema.b" && return 0
	echo "$3: the tool's database and migc's differ:"
	diff "$tmp/schema.a" "$tmp/schema.b" | head -n 20
	return 1
}

# toolset TOOL DIR: four migrations in TOOL's layout: a table, a trigger
# (its body holds ';'), a section outside a transaction and rows.
toolset() {
	case $1 in
	dbmate) up="-- migrate:up" down="-- migrate:down" notx=" transaction:false" begin= end=
		v1=20240101000001 v2=20240101000002 v3=20240101000003 v4=20240101000004 ;;
	sql-migrate) up="-- +migrate Up" down="-- +migrate Down" notx=" notransaction"
		begin="-- +migrate StatementBegin\n" end="-- +migrate StatementEnd\n" v1=1 v2=2 v3=3 v4=4 ;;
	esac
	if [ "$B" = sqlite ]; then
		trigger="CREATE TRIGGER users_log AFTER INSERT ON users BEGIN\n  INSERT INTO log (msg) VALUES (NEW.name);\nEND;\n"
		untrigger="DROP TRIGGER users_log;\n"
		outside="CREATE TABLE notx (x INTEGER);\nVACUUM;\n" unoutside="DROP TABLE notx;\n"
	else
		trigger="CREATE FUNCTION users_log() RETURNS trigger AS \$\$\nBEGIN\n  INSERT INTO log (msg) VALUES (NEW.name);\n  RETURN NEW;\nEND;\n\$\$ LANGUAGE plpgsql;\n$end${begin}CREATE TRIGGER users_log AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_log();\n"
		untrigger="DROP TRIGGER users_log ON users;\nDROP FUNCTION users_log();\n"
		outside="CREATE INDEX CONCURRENTLY users_name ON users (name);\n" unoutside="DROP INDEX CONCURRENTLY users_name;\n"
	fi
	mig "$2" ${v1}_users.sql "-- The users.\n$up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE log (msg TEXT);\n\n$down\nDROP TABLE log;\nDROP TABLE users;\n"
	mig "$2" ${v2}_trigger.sql "$up\n$begin$trigger$end$down\n$untrigger"
	mig "$2" ${v3}_outside.sql "$up$notx\n$outside$down$notx\n$unoutside"
	mig "$2" ${v4}_rows.sql "$up\nINSERT INTO users (id, name) VALUES (1, 'a');\nINSERT INTO users (id, name) VALUES (2, 'b; -- not a comment');\n$down\nDELETE FROM users;\nDELETE FROM log;\n"
}

# dbmateurl URL: the URL dbmate takes for it.
dbmateurl() {
	case $1 in
	sqlite:*) echo "sqlite:${1#sqlite:}" ;;
	*) echo "$1" ;;
	esac
}

# sqlmigrate URL DIR COMMAND...: sql-migrate on URL with the files of DIR.
sqlmigrate() {
	_su=$1 _sd=$2
	shift 2
	case $_su in
	sqlite:*) printf 't:\n  dialect: sqlite3\n  datasource: %s\n  dir: %s\n' "${_su#sqlite:}" "$_sd" ;;
	*) printf 't:\n  dialect: postgres\n  datasource: %s\n  dir: %s\n' "$_su" "$_sd" ;;
	esac >"$tmp/dbconfig.yml"
	sql-migrate "$@" -config="$tmp/dbconfig.yml" -env=t
}

# tooluse TOOL: tool_up and tool_down run TOOL on $theirs with the files
# of $d; fails when TOOL is not installed.
tooluse() {
	case $1 in
	dbmate)
		[ -x "$DBMATE" ] || { echo "no $DBMATE: .ci/run installs it (npm install --prefix build/tools dbmate@$DBMATE_VERSION)"; return 1; }
		"$DBMATE" --version | grep -q "$DBMATE_VERSION" || { echo "$DBMATE is not version $DBMATE_VERSION"; return 1; }
		tool_up() { "$DBMATE" --no-dump-schema -u "$(dbmateurl "$theirs")" -d "$d" up; }
		tool_down() { "$DBMATE" --no-dump-schema -u "$(dbmateurl "$theirs")" -d "$d" rollback; }
		tooltable=schema_migrations
		;;
	sql-migrate)
		command -v sql-migrate >/dev/null || { echo "no sql-migrate: apt-get install sql-migrate"; return 1; }
		tool_up() { sqlmigrate "$theirs" "$d" up; }
		tool_down() { sqlmigrate "$theirs" "$d" down -limit=1; }
		tooltable=gorp_migrations
		;;
	esac
}

# tooltablerows URL: the rows of the tool's table, in order.
tooltablerows() {
	case $tooltable in
	schema_migrations) q "$1" "SELECT version FROM schema_migrations ORDER BY version" ;;
	*) q "$1" "SELECT id, applied_at FROM gorp_migrations ORDER BY id" ;;
	esac
}

# t_tool TOOL: the tool and migc apply TOOL's files alike.
t_tool() {
	d=$tmp/$B/tool-$1
	toolset "$1" "$d"
	theirs=$(newdb "tool-$1-theirs") ours=$(newdb "tool-$1-ours")
	tooluse "$1" || return 1
	tool_up || return 1
	expect 0 "applied ${v4}_rows" build/migc up --layout "$1" --dir "$d" --database "$ours" || return 1
	sameschema "$theirs" "$ours" "after up" || return 1
	[ "$(q "$ours" 'SELECT count(*) FROM log')" = 2 ] || { echo "the trigger did not run"; return 1; }
	tool_down || return 1
	expect 0 "reverted ${v4}_rows" build/migc down --layout "$1" --dir "$d" --database "$ours" || return 1
	sameschema "$theirs" "$ours" "after one step down" || return 1
	tool_down && tool_down || return 1
	expect 0 "reverted ${v2}_trigger" build/migc down --to "$v1" --layout "$1" --dir "$d" --database "$ours" || return 1
	sameschema "$theirs" "$ours" "after three steps down" || return 1
	tool_up || return 1
	expect 0 "applied ${v4}_rows" build/migc up --layout "$1" --dir "$d" --database "$ours" || return 1
	sameschema "$theirs" "$ours" "after up again"
}
check "[$B] dbmate (the npm package, pinned) and migc --layout dbmate apply the same files alike: up, down step by step, up again" t_tool dbmate
check "[$B] sql-migrate and migc --layout sql-migrate apply the same files alike: up, down step by step, up again" t_tool sql-migrate

# t_tool_adopt TOOL: the tool applies a set; migc adopts what it applied
# (a dry run first), marked as adopted, leaving the tool's table as it
# was; then migc applies two newer migrations, and the tool's table is
# still as the tool left it (the team can go back).
t_tool_adopt() {
	d=$tmp/$B/adopt-$1
	toolset "$1" "$d"
	theirs=$(newdb "adopt-$1")
	tooluse "$1" || return 1
	tool_up || return 1
	tooltablerows "$theirs" >"$tmp/tool.before" && [ -s "$tmp/tool.before" ] || return 1
	case $1 in
	dbmate)
		mig "$d" 20240101000005_more.sql "-- migrate:up\nCREATE TABLE more (x INTEGER);\n-- migrate:down\nDROP TABLE more;\n"
		mig "$d" 20240101000006_rows2.sql "-- migrate:up\nINSERT INTO users (id, name) VALUES (3, 'c');\n-- migrate:down\nDELETE FROM users WHERE id = 3;\n"
		v6=20240101000006 ;;
	sql-migrate)
		mig "$d" 5_more.sql "-- +migrate Up\nCREATE TABLE more (x INTEGER);\n-- +migrate Down\nDROP TABLE more;\n"
		mig "$d" 6_rows2.sql "-- +migrate Up\nINSERT INTO users (id, name) VALUES (3, 'c');\n-- +migrate Down\nDELETE FROM users WHERE id = 3;\n"
		v6=6 ;;
	esac
	run="build/migc --layout $1 --dir $d --database $theirs"
	expect 0 "would adopt ${v4}_rows (applied by $1)" $run adopt --from "$1" --dry-run || return 1
	[ "$(q "$theirs" "SELECT count(*) FROM $(pick sqlite_schema pg_tables) WHERE $(pick name tablename) LIKE 'migc%'")" = 0 ] ||
		{ echo "the dry run made migc's table"; return 1; }
	expect 0 "adopted ${v1}_users (applied by $1)" $run adopt --from "$1" || return 1
	grep -q "adopted ${v4}_rows" "$tmp/expect.out" || return 1
	expect 0 "4 applied, 2 pending" $run status || return 1
	[ "$(grep -c "(adopted from $1)" "$tmp/expect.out")" = 4 ] || { echo "status does not show the 4 adopted"; return 1; }
	expect 0 "applied ${v6}_rows2" $run up || return 1
	grep -Eq "applied .*_(users|trigger|outside|rows) " "$tmp/expect.out" && { echo "up ran an adopted migration again"; return 1; }
	[ "$(q "$theirs" 'SELECT count(*) FROM users')" = 3 ] || { echo "the rows migration ran again, or the new one did not"; return 1; }
	expect 0 "ok: 6 applied migrations match" $run verify || return 1
	tooltablerows "$theirs" >"$tmp/tool.after"
	cmp -s "$tmp/tool.before" "$tmp/tool.after" || { echo "migc changed $1's table:"; diff "$tmp/tool.before" "$tmp/tool.after"; return 1; }
	expect 2 "adopt needs a database where migc has recorded nothing" $run adopt --from "$1"
}
check "[$B] dbmate (the npm package, pinned) applies a set, migc adopts it and applies two newer migrations; dbmate's table unchanged" t_tool_adopt dbmate
check "[$B] sql-migrate applies a set, migc adopts it and applies two newer migrations; sql-migrate's table unchanged" t_tool_adopt sql-migrate

# marknames_of TOOL: the text every mark line of TOOL starts with.
marknames_of() {
	case $1 in
	dbmate) echo "-- migrate:" ;;
	sql-migrate) echo "-- +migrate" ;;
	esac
}

# t_tool_import TOOL: migc import converts TOOL's files into migc's layout;
# migc applies them as the tool applies the originals (up, a step down, up
# again), and adopts the tool's database with them: the switch without
# --layout from then on.
t_tool_import() {
	d=$tmp/$B/import-$1
	toolset "$1" "$d"
	theirs=$(newdb "import-$1-theirs") ours=$(newdb "import-$1-ours")
	tooluse "$1" || return 1
	rm -rf "$d-migc"
	expect 0 "migc: imported 4 migrations" build/migc import --layout "$1" --dialect "$(pick sqlite postgres)" "$d" "$d-migc" ||
		return 1
	! grep -q -- "$(marknames_of "$1")" "$d-migc"/*.sql || { echo "a $1 mark was left in the imported files"; return 1; }
	tool_up || return 1
	expect 0 "applied ${v4}_rows" build/migc up --dir "$d-migc" --database "$ours" || return 1
	sameschema "$theirs" "$ours" "after up" || return 1
	tool_down || return 1
	expect 0 "reverted ${v4}_rows" build/migc down --dir "$d-migc" --database "$ours" || return 1
	sameschema "$theirs" "$ours" "after one step down" || return 1
	tool_up || return 1
	build/migc up --dir "$d-migc" --database "$ours" >/dev/null || return 1
	sameschema "$theirs" "$ours" "after up again" || return 1
	expect 0 "adopted ${v4}_rows (applied by $1)" build/migc adopt --from "$1" --dir "$d-migc" --database "$theirs" || return 1
	expect 0 "ok: 4 applied migrations match" build/migc verify --dir "$d-migc" --database "$theirs" || return 1
	expect 0 "nothing to apply" build/migc up --dir "$d-migc" --database "$theirs"
}

check "[$B] dbmate's files, converted by migc import, run as dbmate runs the originals, and adopt dbmate's database" t_tool_import dbmate
check "[$B] sql-migrate's files, converted by migc import, run as sql-migrate runs the originals, and adopt its database" t_tool_import sql-migrate
