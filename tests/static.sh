# tests/static.sh: the static build (./configure --static), sourced by
# tests/run when it is one. The binaries run in an empty root, as in a FROM
# scratch container: a chroot holding the binary, an /etc/hosts and, for
# TLS, a CA certificate; no /etc/passwd, no shared libraries, no time zone
# or locale files, and an empty environment.

# readelf -l/-d: no program interpreter, no shared libraries needed.
isstatic() {
	if readelf -l "$1" | grep -q INTERP || readelf -d "$1" | grep -q NEEDED; then
		echo "$1 is not a static executable:"
		readelf -d "$1" | grep NEEDED
		return 1
	fi
}

# The installed pkg-config file, used the way an application's build does.
staticprefix=$tmp/static-prefix
stage "$staticprefix"

t_static_binaries() {
	isstatic build/migrate && isstatic build/migc || return 1
	build/migc gen --dialect sqlite --name app --main -o "$tmp/static_app.c" migrations/sqlite || return 1
	# A PostgreSQL set when there is libpq: its driver brings libpq and OpenSSL.
	app=$tmp/static_app.c
	if [ "${POSTGRES:-yes}" = yes ]; then
		app=$tmp/static_pg_app.c
		build/migc gen --dialect postgres --name app --main -o "$app" migrations/postgres || return 1
	fi
	flags=$(PKG_CONFIG_PATH=$staticprefix/lib/pkgconfig pkg-config --static --cflags --libs migc) || return 1
	echo "pkg-config --static --libs migc: $flags"
	$CC -static -std=c99 -O2 "$app" $flags -o "$tmp/static_app" 2>"$tmp/static_app.log" ||
		{ cat "$tmp/static_app.log"; return 1; }
	isstatic "$tmp/static_app" || return 1
	if [ "${POSTGRES:-yes}" = yes ]; then
		nm "$tmp/static_app" | grep -q ' SSL_connect$' || { echo "libpq's OpenSSL is missing"; return 1; }
	fi
}
check "static: build/migrate, build/migc and a migc gen --main binary linked with pkg-config --static have no interpreter and no shared libraries" \
	t_static_binaries

# sqliteonly BIN: no libpq and no OpenSSL in BIN.
sqliteonly() {
	if nm "$1" | grep -E ' (SSL_|EVP_|PQ)[A-Za-z_]*$' | head -n 3 | grep .; then
		echo "libpq or OpenSSL is linked into $1"
		return 1
	fi
}

# The empty root: / holds migrate, etc/hosts naming the server dbhost (and
# otherhost, which its TLS certificate does not name), and later the CA
# certificate.
root=$tmp/emptyroot
mkdir -p "$root/etc"
cp build/migrate "$root/migrate"
printf '127.0.0.1 dbhost\n127.0.0.1 otherhost\n' >"$root/etc/hosts"

# inrootenv VAR=VALUE ARG...: run /migrate ARG... in the empty root with
# only VAR in the environment (chroot needs root; otherwise a user
# namespace maps us to root).
inrootenv() {
	rootenv=$1
	shift
	if [ "$(id -u)" -eq 0 ]; then
		env -i "$rootenv" "$(command -v chroot)" "$root" /migrate "$@"
	else
		env -i "$rootenv" "$(command -v unshare)" -r "$(command -v chroot)" "$root" /migrate "$@"
	fi
}

# inroot ARG...: the same with an empty environment.
inroot() {
	inrootenv MIGC_TEST_EMPTY_ROOT=1 "$@"
}

# A UTC time stamp in status --json: no /etc/localtime is needed.
utcjson() {
	grep -Eq '"applied_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z"' "$tmp/expect.out"
}

t_static_sqlite() {
	expect 0 "applied 0006_add_presence" inroot up --database sqlite:/demo.db || return 1
	[ -f "$root/demo.db" ] || return 1
	expect 0 "ok: 6 applied migrations match this binary, 0 pending" inroot verify --schema --database sqlite:/demo.db || return 1
	expect 0 '"applied":6,"pending":0' inroot status --json --database sqlite:/demo.db && utcjson
}
check "static: in an empty root (the binary and /etc/hosts), the demo applies to a SQLite file; verify --schema passes; status --json works" \
	t_static_sqlite

if [ "${POSTGRES:-yes}" = yes ] && [ -n "${PGPORT:-}" ]; then

t_static_postgres() {
	byip=$(pgnewdb static_ip) || return 1
	byname=$(pgnewdb static_name | sed 's/127\.0\.0\.1/dbhost/') || return 1
	expect 0 "applied 0006_add_presence" inroot up --database "$byip" || return 1
	expect 0 "applied 0006_add_presence" inroot up --database "$byname" || return 1
	for url in "$byip" "$byname"; do
		expect 0 "ok: 6 applied migrations match this binary, 0 pending" inroot verify --database "$url" || return 1
		expect 0 '"applied":6,"pending":0' inroot status --json --database "$url" && utcjson || return 1
	done
	[ "$(pgsql "$byip" 'SELECT count(*) FROM migc_migrations')" = 6 ] &&
		[ "$(pgsql "$byip" "SELECT count(*) FROM pg_tables WHERE tablename = 'messages'")" = 1 ]
}
check "static: in an empty root, the demo applies to PostgreSQL over TCP by IP address and by a name from /etc/hosts; verify and status --json work" \
	t_static_postgres

# What libpq would take from the system fails with what to pass instead.
t_static_postgres_system() {
	url=$(pgnewdb static_sys) || return 1
	nouser=$(echo "$url" | sed 's|//migc@|//|')
	expect 1 "no user name given and the system has none for this process: name one in the URL, postgres://USER@host/db or user=USER, or set PGUSER" \
		inroot status --database "$nouser" || return 1
	expect 0 "\"applied\":0,\"pending\":6" inrootenv PGUSER=migc status --json --database "$nouser" || return 1
	expect 1 "host names are looked up in /etc/hosts, then through DNS as /etc/resolv.conf says: give an IP address or provide those files" \
		inroot status --database "$(echo "$url" | sed 's/127\.0\.0\.1/no-such-host.invalid/')" || return 1
	expect 1 "GSSAPI encryption required but was impossible" inroot status --database "$url&gssencmode=require"
}
check "static: in an empty root, a URL without a user (names PGUSER) or with an unknown host (names /etc/hosts) fails clearly; PGUSER works" \
	t_static_postgres_system

# TLS with the static OpenSSL: a server certificate for dbhost from a test
# CA; the server also asks the role migc_gss for GSSAPI authentication.
t_static_tls() {
	d=$tmp/tls
	mkdir -p "$d"
	(
		cd "$d" &&
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj /CN=migc-test-ca -keyout ca.key -out ca.crt &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj /CN=dbhost -keyout server.key -out server.csr &&
		printf 'subjectAltName=DNS:dbhost\n' >ext &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile ext -out server.crt
	) >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log"; return 1; }
	cp "$d/ca.crt" "$root/ca.crt"
	pgtls "$d/server.crt" "$d/server.key" "host all migc_gss 127.0.0.1/32 gss" || return 1
	url=$(pgnewdb static_tls | sed 's/127\.0\.0\.1/dbhost/; s/sslmode=disable/sslmode=verify-full\&sslrootcert=\/ca.crt/') ||
		{ pgtls off; return 1; }
	expect 0 "applied 0006_add_presence" inroot up --database "$url" &&
		expect 0 "ok: 6 applied" inroot verify --database "$url" &&
		expect 1 "root certificate file" inroot status --database "$(echo "$url" | sed 's/&sslrootcert=[^&]*//')" &&
		expect 1 "server certificate for \"dbhost\" does not match host name \"otherhost\"" \
			inroot status --database "$(echo "$url" | sed 's/dbhost/otherhost/')" &&
		expect 1 "GSSAPI (Kerberos) is not available in migc's static build" \
			inroot status --database "$(echo "$url" | sed 's|//migc@|//migc_gss@|')"
	st=$?
	pgtls off || return 1
	return $st
}
check "static: TLS in an empty root (verify-full with sslrootcert, a missing root certificate and a wrong host name refused); a GSSAPI login says it is not available" \
	t_static_tls

fi

# staticcopy DIR OPTION...: the sources copied into DIR, configured with
# --static OPTION... and build/migrate built there.
staticcopy() {
	dir=$1
	shift
	mkdir -p "$dir" && cp -r configure build.ninja compat gen runtime migrations "$dir/" || return 1
	(cd "$dir" && ./configure --static "$@" >"$dir/configure.log" 2>&1 && ninja build/migrate >"$dir/ninja.log" 2>&1) ||
		{ echo "the static build in $dir failed:"; tail -n 20 "$dir/configure.log" "$dir/ninja.log"; return 1; }
}

# Two builds of the same sources in different directories: the same bytes.
t_static_reproducible() {
	staticcopy "$tmp/repro-a" && staticcopy "$tmp/repro-b/deeper" || return 1
	cmp "$tmp/repro-a/build/demo_sqlite.c" "$tmp/repro-b/deeper/build/demo_sqlite.c" &&
		cmp "$tmp/repro-a/build/migrate" "$tmp/repro-b/deeper/build/migrate"
}
check "static: two builds of the same sources in different directories give byte-identical static binaries" \
	t_static_reproducible

# sqliteinroot BIN DB MESSAGE: BIN, a SQLite-only static binary, applies
# the demo set to DB in the empty root and refuses a PostgreSQL URL with
# MESSAGE (exit 2); the root gets build/migrate back.
sqliteinroot() {
	cp "$1" "$root/migrate" || return 1
	expect 0 "applied 0006_add_presence" inroot up --database "sqlite:/$2" &&
		expect 2 "$3" inroot status --database "postgres://migc@127.0.0.1:1/x"
	st=$?
	cp build/migrate "$root/migrate"
	return $st
}

# --static --without-postgres: SQLite only, no libpq and no OpenSSL.
t_static_sqlite_only() {
	staticcopy "$tmp/sqlite-only" --without-postgres || return 1
	bin=$tmp/sqlite-only/build/migrate
	isstatic "$bin" && sqliteonly "$bin" || return 1
	sqliteinroot "$bin" sqlite-only.db "built without PostgreSQL support (./configure --without-postgres)"
}
check "static: --without-postgres gives a SQLite-only static binary with no libpq or OpenSSL in it; it runs in the empty root" \
	t_static_sqlite_only

# A SQLite set names the SQLite driver, so with migc-sqlite.pc the same
# libmigc.a (built with PostgreSQL) links neither libpq nor OpenSSL.
t_static_sqlite_set() {
	# The set the first case generated (when -k left it out).
	[ -s "$tmp/static_app.c" ] ||
		build/migc gen --dialect sqlite --name app --main -o "$tmp/static_app.c" migrations/sqlite || return 1
	flags=$(PKG_CONFIG_PATH=$staticprefix/lib/pkgconfig pkg-config --static --cflags --libs migc-sqlite) || return 1
	$CC -static -std=c99 -O2 "$tmp/static_app.c" $flags -o "$tmp/static_sqlite_app" 2>"$tmp/static_app.log" ||
		{ cat "$tmp/static_app.log"; return 1; }
	isstatic "$tmp/static_sqlite_app" && sqliteonly "$tmp/static_sqlite_app" || return 1
	echo "size: $(wc -c <"$tmp/static_sqlite_app") bytes"
	sqliteinroot "$tmp/static_sqlite_app" sqlite-set.db "generated for sqlite, not for a postgres database"
}
check "static: a SQLite set's binary linked with pkg-config --static migc-sqlite has no libpq or OpenSSL; it runs in the empty root" \
	t_static_sqlite_set
