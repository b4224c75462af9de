# tests/lib.sh: helpers for the end-to-end tests, sourced by tests/run.
# A test names its database with newdb and reads it with q, dump and
# tables, so that one test body runs on SQLite and on PostgreSQL ($B).

# expect STATUS TEXT COMMAND...: COMMAND exits with STATUS and prints TEXT.
expect() {
	want=$1
	text=$2
	shift 2
	"$@" >"$tmp/expect.out" 2>&1
	got=$?
	cat "$tmp/expect.out"
	if [ "$got" -ne "$want" ]; then
		echo "expected exit status $want, got $got from: $*"
		return 1
	fi
	if ! grep -qF -- "$text" "$tmp/expect.out"; then
		echo "expected the output to contain: $text"
		return 1
	fi
}

# cbuild OUT C-FILE...: compile and link with build/libmigc.a and the
# configured flags. glibc's link-time note that a static binary's
# getpwuid_r, getaddrinfo and dlopen need its shared libraries at run time
# is dropped (README, "A static binary"); anything else is shown.
cbuild() {
	out=$1
	shift
	$CC $LDFLAGS -std=c99 -Iruntime $SQLITE_CFLAGS "$@" build/libmigc.a $SQLITE_LIBS $PQ_LIBS -o "$out" 2>"$tmp/cbuild.err"
	st=$?
	awk '/: in function `/ { held = $0; next }
		/in statically linked applications requires at runtime/ { held = ""; next }
		{ if (held != "") print held; held = ""; print }
		END { if (held != "") print held }' "$tmp/cbuild.err" >&2
	return $st
}

# asnobody COMMAND...: run as an unprivileged user when we are root, so
# that file permissions apply.
asnobody() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups -- "$@"
	else
		"$@"
	fi
}

# nolibpq BIN: BIN neither needs libpq nor holds any of it.
nolibpq() {
	if nm "$1" | grep -E ' PQ[A-Za-z_]*$' | head -n 3 | grep .; then
		echo "$1 links libpq"
		return 1
	fi
}

# readmeblock NAME: the code block between README.md's <!-- NAME:begin -->
# and <!-- NAME:end --> lines, without its ``` fence.
readmeblock() {
	sed -n "/^<!-- $1:begin -->\$/,/^<!-- $1:end -->\$/p" README.md | sed '1,2d;$d' | sed '$d'
}

# stage DIR: what ninja install installs (bin/migc, lib/, include/,
# lib/pkgconfig/migc.pc and migc-sqlite.pc), laid out under DIR with migc.pc's prefix set to
# DIR; for building against migc the way an application does.
stage() {
	mkdir -p "$1/bin" "$1/lib/pkgconfig" "$1/include" &&
		cp build/migc "$1/bin/" && cp build/libmigc.a build/libmigc_nogss.a "$1/lib/" &&
		cp runtime/migc.h "$1/include/" &&
		for pc in migc migc-sqlite; do
			sed "s|^prefix=.*|prefix=$1|" "build/$pc.pc" >"$1/lib/pkgconfig/$pc.pc" || return 1
		done
}

# embed NAME DIR [GEN OPTION...]: build the embedded binary $tmp/NAME
# from DIR for $B.
embed() {
	_en=$1 _ed=$2
	shift 2
	build/migc gen --dialect "${B:-sqlite}" --main "$@" -o "$tmp/$_en.c" "$_ed" && cbuild "$tmp/$_en" "$tmp/$_en.c"
}

# newdb NAME: the URL of a fresh, empty database for backend $B.
newdb() {
	case ${B:-sqlite} in
	sqlite)
		rm -f "$tmp/$1.db"
		echo "sqlite:$tmp/$1.db"
		;;
	postgres) pgnewdb "$(echo "$1" | tr 'A-Z-' 'a-z_')" ;;
	esac
}

# q URL SQL: run SQL, print the rows.
q() {
	case $1 in
	sqlite:*|/*) sqlite3 "${1#sqlite:}" "$2" ;;
	*) pgsql "$1" "$2" ;;
	esac
}

# qis URL SQL VALUE: SQL prints VALUE.
qis() {
	[ "$(q "$1" "$2" 2>/dev/null)" = "$3" ]
}

# waitfor WHAT COMMAND...: poll COMMAND (every 0.1 s, for up to 20 s)
# until it succeeds; else say that WHAT never happened, and fail.
waitfor() {
	_wwhat=$1
	shift
	_wn=0
	until "$@"; do
		_wn=$((_wn + 1))
		[ $_wn -lt 200 ] || { echo "$_wwhat never happened"; return 1; }
		sleep 0.1
	done
}

# holdtable URL SQL [MODE]: an application session runs SQL (which locks
# table t and keeps its transaction open) in the background, its pid in
# $holder; returns once it holds a lock on t (in MODE, when given).
holdtable() {
	"$PGBIN/psql" -X -q -d "$1" -c "$2" >/dev/null 2>&1 &
	holder=$!
	waitfor "the application's lock on t" qis "$1" "SELECT count(*) > 0 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE c.relname = 't' AND l.granted${3:+ AND l.mode = '$3'}" t
}

# dump URL: schema and content, to compare before and after.
dump() {
	case $1 in
	sqlite:*|/*) sqlite3 "${1#sqlite:}" .dump ;;
	*) "$PGBIN/pg_dump" --no-owner -d "$1" | grep -v '^--\|^\\restrict\|^\\unrestrict' ;;
	esac
}

# tables URL: the user tables, sorted, comma-separated.
tables() {
	case $1 in
	sqlite:*) q "$1" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)" ;;
	*) q "$1" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'" ;;
	esac
}

# versions URL: the recorded versions, in order, comma-separated.
versions() {
	case $1 in
	sqlite:*) q "$1" 'SELECT group_concat(version) FROM (SELECT version FROM migc_migrations ORDER BY version)' ;;
	*) q "$1" "SELECT string_agg(version::text, ',' ORDER BY version) FROM migc_migrations" ;;
	esac
}

# pick SQLITE POSTGRES: the argument for backend $B.
pick() {
	if [ "${B:-sqlite}" = sqlite ]; then echo "$1"; else echo "$2"; fi
}

# gooseddl: goose's tracking table on $B, as goose v3.24 makes it
# (internal/dialect/dialectquery: postgres.go, sqlite3.go).
gooseddl() {
	if [ "${B:-sqlite}" = sqlite ]; then
		echo "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))"
	else
		echo "CREATE TABLE goose_db_version (id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now())"
	fi
}

# gooseset URL: URL as goose leaves it after applying $base: its tables,
# and goose's table recording versions 1 and 2 applied.
gooseset() {
	q "$1" "$(gooseddl)" &&
		q "$1" "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, $(pick 1 true)), (1, $(pick 1 true)), (2, $(pick 1 true))" &&
		q "$1" "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT); CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO b VALUES (1)"
}

# mig DIR FILE TEXT: write a migration file (printf %b escapes in TEXT).
mig() {
	mkdir -p "$1"
	printf '%b' "$3" >"$1/$2"
}

# A small set, valid on both databases, used by several cases.
base=$tmp/base
mig "$base" 0001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);\n"
mig "$base" 0001_a.down.sql "DROP TABLE a;\n"
mig "$base" 0002_b.sql "CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO b VALUES (1);\n"
mig "$base" 0002_b.down.sql "DROP TABLE b;\n"
