# tests/pg.sh: a private PostgreSQL server for one test run, sourced by
# tests/run (which defines $tmp). pgstart runs initdb in $tmp/pg and starts a
# server on a free 127.0.0.1 port and a unix socket in that directory;
# pgstop (idempotent, called from tests/run's exit trap) always stops it.
# pgnewdb gives each test a fresh database, pgsql runs SQL for assertions.
#
# initdb and postgres refuse to run as root, so as root (as in CI) the
# server runs as `nobody` through setpriv: an account every Debian system
# has, so nothing is added to /etc/passwd (useradd would leave an account
# behind, race with a parallel run and need cleaning up), and setpriv, unlike
# runuser or su, does not go through PAM. Only $tmp/pg is given to nobody;
# $tmp stays root's, made traversable (o+x) so nobody can reach its own
# directory, or a directory of its own under /tmp when it cannot.
#
# Authentication: trust for the superuser `migc` on the socket and over TCP;
# the role migc_pw (password s3cret-pw, also a superuser so a test can run
# anything through it) must give its password over TCP (scram-sha-256).

_pgroot=
_pgdata=
_pgown=
_pguid=
_pggid=

# _pgas COMMAND...: run COMMAND as the server's owner, in its directory.
_pgas() {
	(
		cd "$_pgroot" || exit 1
		if [ -z "$_pguid" ]; then
			exec "$@"
		fi
		HOME=$_pgroot
		export HOME
		if command -v setpriv >/dev/null 2>&1; then
			exec setpriv --reuid="$_pguid" --regid="$_pggid" --clear-groups -- "$@"
		fi
		exec runuser -u nobody -- "$@"
	)
}

# _pgfindbin: set PGBIN to a directory with initdb, pg_ctl, postgres and
# psql: $PGBIN if already set, pg_config --bindir, or the newest
# /usr/lib/postgresql/*/bin.
_pgfindbin() {
	for _pgd in "${PGBIN:-}" "$(pg_config --bindir 2>/dev/null)"; do
		if [ -n "$_pgd" ] && [ -x "$_pgd/initdb" ] && [ -x "$_pgd/pg_ctl" ] &&
			[ -x "$_pgd/postgres" ] && [ -x "$_pgd/psql" ]; then
			PGBIN=$_pgd
			return 0
		fi
	done
	_pgbest=
	_pgbestv=0
	for _pgd in /usr/lib/postgresql/*/bin; do
		if [ ! -x "$_pgd/initdb" ] || [ ! -x "$_pgd/pg_ctl" ] || [ ! -x "$_pgd/psql" ]; then
			continue
		fi
		_pgv=${_pgd#/usr/lib/postgresql/}
		_pgv=${_pgv%%[!0-9]*}
		[ -n "$_pgv" ] || continue
		if [ "$_pgv" -gt "$_pgbestv" ]; then
			_pgbest=$_pgd
			_pgbestv=$_pgv
		fi
	done
	[ -n "$_pgbest" ] || return 1
	PGBIN=$_pgbest
}

# _pgport: print a random port in 15000..31999, below Linux's ephemeral range.
_pgport() {
	_pgn=$(od -An -N2 -tu2 /dev/urandom 2>/dev/null | tr -d ' ')
	echo $((15000 + ${_pgn:-$$} % 17000))
}

# _pgfail MESSAGE: report why pgstart failed, with the log's tail.
_pgfail() {
	echo "pgstart: $1" >&2
	if [ -n "$_pgroot" ] && [ -s "$_pgroot/log" ]; then
		tail -n 15 "$_pgroot/log" | sed 's/^/    /' >&2
	fi
	pgstop
	return 1
}

# _pgreap: kill whatever is left of the server: after a kill -9 of the
# postmaster its children live on until they notice; they all have the
# data directory as their working directory.
_pgreap() {
	[ -d /proc/self ] || return 0
	_pgtries=0
	while :; do
		_pgleft=
		for _pgp in /proc/[0-9]*; do
			case $(readlink "$_pgp/cwd" 2>/dev/null) in
			"$_pgdata" | "$_pgdata (deleted)") _pgleft="$_pgleft ${_pgp#/proc/}" ;;
			esac
		done
		[ -n "$_pgleft" ] || return 0
		[ "$_pgtries" -lt 20 ] || return 1
		# shellcheck disable=SC2086
		[ "$_pgtries" -lt 10 ] || kill -KILL $_pgleft 2>/dev/null
		_pgtries=$((_pgtries + 1))
		sleep 0.1 2>/dev/null || sleep 1
	done
}

# pgstart: start the server, export PGURL, PGKW, PGSOCKDIR, PGPORT, PGBIN
# and PGLOG (the server's log).
pgstart() {
	[ -z "$_pgdata" ] || pgstop
	[ -n "${tmp:-}" ] || { echo "pgstart: \$tmp is not set" >&2; return 1; }
	_pgfindbin || { echo "pgstart: no PostgreSQL server binaries (initdb, pg_ctl, postgres, psql); apt-get install postgresql" >&2; return 1; }
	# A developer's libpq settings must not leak into the tests.
	unset PGHOST PGHOSTADDR PGUSER PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS PGSSLMODE PGREQUIRESSL PGTARGETSESSIONATTRS

	_pguid=
	_pggid=
	_pgown=
	_pgroot=$tmp/pg
	if [ "$(id -u)" -eq 0 ]; then
		if ! _pguid=$(id -u nobody 2>/dev/null) || ! _pggid=$(id -g nobody 2>/dev/null); then
			_pguid=
			_pgroot=
			echo "pgstart: running as root and there is no user nobody to run the server as" >&2
			return 1
		fi
		command -v setpriv >/dev/null 2>&1 || command -v runuser >/dev/null 2>&1 ||
			{ _pguid=; _pgroot=; echo "pgstart: running as root and neither setpriv nor runuser is available" >&2; return 1; }
		chmod o+x "$tmp"
	fi
	mkdir -m 700 "$_pgroot" || { _pgroot=; echo "pgstart: cannot create $tmp/pg" >&2; return 1; }
	[ -z "$_pguid" ] || chown "$_pguid:$_pggid" "$_pgroot"
	# The socket path must fit in sun_path (107 bytes with .s.PGSQL.NNNNN),
	# and nobody must reach the directory; otherwise use one under /tmp.
	if [ ${#_pgroot} -gt 90 ] || ! _pgas test -w "$_pgroot" 2>/dev/null; then
		rm -rf "$_pgroot"
		_pgroot=$(mktemp -d /tmp/migc-pg.XXXXXX) || { _pgroot=; echo "pgstart: cannot create a directory under /tmp" >&2; return 1; }
		_pgown=1
		[ -z "$_pguid" ] || chown "$_pguid:$_pggid" "$_pgroot"
		_pgas test -w "$_pgroot" 2>/dev/null || _pgfail "user nobody cannot write to $_pgroot" || return 1
	fi
	case $_pgroot in
	*[!A-Za-z0-9_./-]*) _pgfail "unusable directory name $_pgroot (set TMPDIR)"; return 1 ;;
	esac
	_pgdata=$_pgroot/data

	_pgas "$PGBIN/initdb" -D "$_pgdata" -U migc -A trust -E UTF8 --locale=C -N --no-instructions \
		>"$_pgroot/log" 2>&1 || { _pgfail "initdb failed"; return 1; }
	cat >>"$_pgdata/postgresql.conf" <<EOF
# tests/pg.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$_pgroot'
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = 'scram-sha-256'
EOF
	cat >"$_pgdata/pg_hba.conf" <<EOF
# tests/pg.sh: TYPE DATABASE USER ADDRESS METHOD
local all all              trust
host  all migc_pw 127.0.0.1/32 scram-sha-256
host  all all     127.0.0.1/32 trust
EOF

	# A random port may be taken: retry on a bind failure.
	_pgtry=0
	while :; do
		_pgtry=$((_pgtry + 1))
		PGPORT=$(_pgport)
		rm -f "$_pgroot/log"
		if _pgas "$PGBIN/pg_ctl" -D "$_pgdata" -l "$_pgroot/log" -o "-p $PGPORT" -w -t 30 -s start \
			>/dev/null 2>&1; then
			break
		fi
		if [ "$_pgtry" -lt 10 ] && grep -Eq 'could not (bind|create any TCP)|already in use' "$_pgroot/log" 2>/dev/null; then
			continue
		fi
		_pgfail "the server did not start"
		return 1
	done

	PGSOCKDIR=$_pgroot
	PGURL="postgres://migc@127.0.0.1:$PGPORT/postgres?sslmode=disable"
	PGKW="host=$PGSOCKDIR port=$PGPORT user=migc dbname=postgres"
	PGPASSFILE=$_pgroot/no-pgpass
	PGLOG=$_pgroot/log
	export PGURL PGKW PGSOCKDIR PGPORT PGBIN PGPASSFILE PGLOG
	"$PGBIN/psql" -X -w -q -v ON_ERROR_STOP=1 -d "$PGKW" \
		-c "CREATE ROLE migc_pw LOGIN SUPERUSER PASSWORD 's3cret-pw'" >/dev/null 2>"$tmp/pg.err" ||
		{ cat "$tmp/pg.err" >&2; _pgfail "cannot create role migc_pw"; return 1; }
	return 0
}

# pgstop: stop the server if one runs; safe to call at any time, twice.
pgstop() {
	pgbstop
	if [ -n "$_pgdata" ]; then
		if [ -f "$_pgdata/postmaster.pid" ]; then
			_pgas "$PGBIN/pg_ctl" -D "$_pgdata" -m fast -w -t 10 -s stop >/dev/null 2>&1 ||
				_pgas "$PGBIN/pg_ctl" -D "$_pgdata" -m immediate -w -t 10 -s stop >/dev/null 2>&1
		fi
		_pgreap
	fi
	[ -z "$_pgown" ] || rm -rf "$_pgroot"
	_pgroot=
	_pgdata=
	_pgown=
	return 0
}

# pgnewdb NAME: create an empty database NAME (dropping an old one), print
# its URL.
pgnewdb() {
	case $1 in
	'' | *[!A-Za-z0-9_]*) echo "pgnewdb: bad database name '$1'" >&2; return 2 ;;
	esac
	"$PGBIN/psql" -X -w -q -v ON_ERROR_STOP=1 -d "$PGKW" -c 'SET client_min_messages = warning' \
		-c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" -c "CREATE DATABASE \"$1\"" >/dev/null || return 1
	echo "postgres://migc@127.0.0.1:$PGPORT/$1?sslmode=disable"
}

# pgsql URL SQL: run SQL against URL, print the rows unaligned, tuples only.
pgsql() {
	"$PGBIN/psql" -X -w -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# pgcrash: stop the server the way a crash would (pg_ctl stop -m immediate).
pgcrash() {
	_pgas "$PGBIN/pg_ctl" -D "$_pgdata" -m immediate -w -t 10 -s stop >/dev/null 2>&1
}

# pgrestart: start the stopped server again, on the same port.
pgrestart() {
	_pgas "$PGBIN/pg_ctl" -D "$_pgdata" -l "$_pgroot/log" -o "-p $PGPORT" -w -t 30 -s start >/dev/null 2>&1
}

# _pgreload: reload the configuration and wait until new sessions see it
# (the postmaster rereads postgresql.auto.conf and pg_hba.conf together).
_pgreload() {
	_pgwant=$1
	pgsql "$PGKW" "SELECT pg_reload_conf()" >/dev/null || return 1
	_pgtries=0
	until [ "$(pgsql "$PGKW" 'SHOW ssl')" = "$_pgwant" ]; do
		[ "$_pgtries" -lt 50 ] || { echo "pgreload: ssl is not $_pgwant after 5 s" >&2; return 1; }
		_pgtries=$((_pgtries + 1))
		sleep 0.1 2>/dev/null || sleep 1
	done
}

# pgtls CERT KEY HBALINE: serve TLS with CERT and KEY and put HBALINE first
# in pg_hba.conf; pgtls off undoes both.
pgtls() {
	if [ "$1" = off ]; then
		awk 'skip { skip = 0; next } /^# pgtls:$/ { skip = 1; next } { print }' \
			"$_pgdata/pg_hba.conf" >"$tmp/pg_hba.new" &&
			cat "$tmp/pg_hba.new" >"$_pgdata/pg_hba.conf" &&
			pgsql "$PGKW" "ALTER SYSTEM RESET ssl" && _pgreload off
		return
	fi
	cp "$1" "$_pgdata/server.crt" && cp "$2" "$_pgdata/server.key" && chmod 600 "$_pgdata/server.key" || return 1
	[ -z "$_pguid" ] || chown "$_pguid:$_pggid" "$_pgdata/server.crt" "$_pgdata/server.key" || return 1
	{ printf '# pgtls:\n%s\n' "$3"; cat "$_pgdata/pg_hba.conf"; } >"$tmp/pg_hba.new" &&
		cat "$tmp/pg_hba.new" >"$_pgdata/pg_hba.conf" &&
		pgsql "$PGKW" "ALTER SYSTEM SET ssl = on" && _pgreload on
}

# pgbstart MODE SIZE [SETTING]: start a PgBouncer (Debian's pgbouncer) in
# pooling MODE (transaction or session), SIZE server connections per
# database and user (and SETTING, a line of pgbouncer.ini, when given),
# on a free 127.0.0.1 port in front of every database of the server;
# exports PGBPORT. It runs as the server's user, as PgBouncer refuses
# root; auth_type trust, for the users the server trusts. pgbstop (also
# called by pgstop, which finds it by its pid file even when a feature's
# subshell started it) stops it.
pgbstart() {
	command -v pgbouncer >/dev/null 2>&1 || { echo "pgbstart: no pgbouncer; apt-get install pgbouncer" >&2; return 1; }
	pgbstop
	_pgbdir=$_pgroot/pgbouncer
	_pgas mkdir -p "$_pgbdir" || return 1
	_pgbtry=0
	while :; do
		_pgbtry=$((_pgbtry + 1))
		PGBPORT=$(_pgport)
		_pgas sh -c "cat >'$_pgbdir/pgbouncer.ini'" <<EOF2 || return 1
[databases]
* = host=$_pgroot port=$PGPORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBPORT
unix_socket_dir =
auth_type = trust
auth_file = $_pgbdir/users.txt
pool_mode = $1
default_pool_size = $2
max_client_conn = 200
server_reset_query = DISCARD ALL
logfile = $_pgbdir/log
pidfile = $_pgbdir/pid
${3:-}
EOF2
		_pgas sh -c "printf '\"migc\" \"\"\n' >'$_pgbdir/users.txt'" || return 1
		_pgas rm -f "$_pgbdir/log"
		if _pgas pgbouncer -d -q "$_pgbdir/pgbouncer.ini" >/dev/null 2>&1; then
			_pgbn=0
			until "$PGBIN/psql" -X -w -q -At -d "postgres://migc@127.0.0.1:$PGBPORT/postgres?sslmode=disable" \
				-c 'SELECT 1' >/dev/null 2>&1; do
				_pgbn=$((_pgbn + 1))
				[ "$_pgbn" -lt 50 ] || break
				sleep 0.1
			done
			[ "$_pgbn" -lt 50 ] && break
		fi
		if [ "$_pgbtry" -lt 10 ] && grep -q 'in use' "$_pgbdir/log" 2>/dev/null; then
			continue
		fi
		echo "pgbstart: pgbouncer did not start" >&2
		tail -n 10 "$_pgbdir/log" >&2 2>/dev/null
		pgbstop
		return 1
	done
	export PGBPORT
}

# pgbstop: stop the PgBouncer if one runs; safe to call at any time.
pgbstop() {
	[ -n "$_pgroot" ] || return 0
	_pgbdir=$_pgroot/pgbouncer
	if [ -f "$_pgbdir/pid" ]; then
		_pgbpid=$(cat "$_pgbdir/pid" 2>/dev/null)
		[ -z "$_pgbpid" ] || kill "$_pgbpid" 2>/dev/null
		_pgbn=0
		while [ -n "$_pgbpid" ] && kill -0 "$_pgbpid" 2>/dev/null && [ "$_pgbn" -lt 50 ]; do
			_pgbn=$((_pgbn + 1))
			sleep 0.1
		done
		[ -z "$_pgbpid" ] || kill -KILL "$_pgbpid" 2>/dev/null
		rm -f "$_pgbdir/pid"
	fi
}
