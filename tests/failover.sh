# tests/failover.sh: a primary with a streaming standby, both started
# here (initdb, pg_basebackup -R) beside the suite's server, on ports of
# their own; sourced by tests/run with B=postgres. With the multi-host URL
# postgres://h1,h2/db?target_session_attrs=read-write, up applies on the
# primary; the primary is stopped in the middle of a run (-m immediate) and
# the standby promoted; up again completes, each migration applied once and
# the tracking table matching the schema. verify and status work on the
# standby, which never takes a write; up there fails at once, naming it.
# FAILOVER_MIGRATIONS (default 40) sizes the set: `ninja stress` runs 400.

fo=$PGSOCKDIR/fo
fon=${FAILOVER_MIGRATIONS:-40}

# foctl DIR ARGS...: pg_ctl on the server in DIR, as the server's user.
foctl() {
	_d=$1
	shift
	_pgas "$PGBIN/pg_ctl" -D "$_d" "$@" >/dev/null 2>&1
}

# The primary, initialised as the suite's server is, and its standby.
t_failover_servers() {
	_pgas rm -rf "$fo"
	_pgas mkdir -p "$fo" || return 1
	_pgas "$PGBIN/initdb" -D "$fo/primary" -U migc -A trust -E UTF8 --locale=C -N --no-instructions \
		>"$tmp/fo-initdb.log" 2>&1 || { cat "$tmp/fo-initdb.log"; return 1; }
	_pgas sh -c "cat >'$fo/primary/pg_hba.conf'" <<EOF
local all all trust
local replication all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
	foport1=$(_pgport)
	foport2=$((foport1 + 1))
	_pgas sh -c "cat >>'$fo/primary/postgresql.conf'" <<EOF
fsync = off
full_page_writes = off
wal_level = replica
EOF
	fostart "$fo/primary" "$foport1" || return 1
	_pgas "$PGBIN/pg_basebackup" -D "$fo/standby" -R -X stream -d "host=$PGSOCKDIR port=$foport1 user=migc" \
		>"$tmp/fo-base.log" 2>&1 || { cat "$tmp/fo-base.log"; return 1; }
	fostart "$fo/standby" "$foport2" || return 1
	foprimary="postgres://migc@127.0.0.1:$foport1/app?sslmode=disable"
	fostandby="postgres://migc@127.0.0.1:$foport2/app?sslmode=disable"
	fourl="postgres://migc@127.0.0.1:$foport1,127.0.0.1:$foport2/app?sslmode=disable&target_session_attrs=read-write"
	q "postgres://migc@127.0.0.1:$foport1/postgres?sslmode=disable" "CREATE DATABASE app" >/dev/null
}

# fostart DIR PORT: start the server in DIR on PORT, its socket beside
# the suite's; false (its log shown) when it does not start.
fostart() {
	_pgas sh -c "cat >>'$1/postgresql.conf'" <<EOF
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGSOCKDIR'
EOF
	foctl "$1" -l "$1.log" -w -t 30 start || { _pgas tail -n 20 "$1.log"; return 1; }
}

fostop() {
	for _d in "$fo/primary" "$fo/standby"; do
		[ -f "$_d/postmaster.pid" ] && foctl "$_d" -m immediate -w -t 10 stop
	done
	_pgas rm -rf "$fo"
}

fdir=$tmp/failover-set
rm -rf "$fdir"
awk -v d="$fdir" -v n="$fon" 'BEGIN {
	system("mkdir -p " d)
	for (v = 1; v <= n; v++) {
		f = sprintf("%s/%04d_t%d.sql", d, v, v)
		printf "CREATE TABLE t%d (x integer);\nINSERT INTO t%d VALUES (%d);\nSELECT pg_sleep(0.05);\n", v, v, v > f
		close(f)
	}
}'

# The standby has caught up with the primary's tracking table.
caughtup() {
	[ "$(q "$fostandby" "SELECT count(*) FROM migc_migrations" 2>/dev/null)" = "$(q "$foprimary" "SELECT count(*) FROM migc_migrations")" ]
}

t_failover() {
	build/migc up --to 3 --dir "$fdir" --database "$fourl" >/dev/null || return 1
	waitfor "the standby's replay" caughtup || return 1
	# On the standby: verify and status work, and up fails at once.
	expect 0 "" build/migc verify --dir "$fdir" --database "$fostandby" || return 1
	expect 0 "3 applied, $((fon - 3)) pending" build/migc status --dir "$fdir" --database "$fostandby" || return 1
	expect 1 "the database is a standby (in recovery), which takes no writes: migrating needs the primary (with several hosts in the URL, add target_session_attrs=read-write)" \
		build/migc up --dir "$fdir" --database "$fostandby" || return 1
	# The primary dies in the middle of a run.
	build/migc up --dir "$fdir" --database "$fourl" >"$tmp/fo-up.out" 2>&1 &
	pid=$!
	waitfor "the tenth migration" qis "$foprimary" "SELECT count(*) >= 10 FROM migc_migrations" t ||
		{ kill -KILL $pid; return 1; }
	foctl "$fo/primary" -m immediate -w -t 10 stop
	wait $pid
	st=$?
	cat "$tmp/fo-up.out"
	[ $st -ne 0 ] || { echo "up went on after its primary stopped"; return 1; }
	foctl "$fo/standby" -w -t 30 promote || { echo "the standby was not promoted"; return 1; }
	# The same URL finds the new primary; up completes the set.
	expect 0 "applied $(printf '%04d' "$fon")_t$fon" build/migc up --dir "$fdir" --database "$fourl" || return 1
	[ "$(q "$fostandby" "SELECT count(*) FROM migc_migrations")" = "$fon" ] || return 1
	[ "$(q "$fostandby" "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'")" = "$fon" ] ||
		{ echo "tables and tracking rows differ"; return 1; }
	expect 0 "" build/migc verify --schema --dir "$fdir" --database "$fourl"
}

if need "[postgres] failover: a primary and a streaming standby (pg_basebackup -R) start" t_failover_servers; then
	check "[postgres] failover: up on a multi-host URL survives the primary's crash and the standby's promotion; each migration once; a standby refuses up" t_failover
fi
fostop
