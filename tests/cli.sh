# tests/cli.sh: end-to-end tests that run once: the generator, the build,
# the command line without a database, and SQLite-only behaviour.

t_list_show() {
	expect 0 "0002_b  2 statements, down  c1:" build/migc list --dir "$base" || return 1
	expect 0 '"version":2,"name":"b","file":"0002_b.sql","down":"0002_b.down.sql","statements":2' build/migc list --json --dir "$base" || return 1
	expect 0 "INSERT INTO b VALUES (1);" build/migc show 2 --dir "$base" || return 1
	expect 0 "-- 0002_b.down.sql" build/migc show 2 --dir "$base" || return 1
	expect 2 "no migration has version 7" build/migc show 7 --dir "$base"
}
check "cli: list, list --json and show need no database" t_list_show

t_fk_off() {
	d=$tmp/fk
	mig "$d" 0001_p.sql "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id));\nINSERT INTO p VALUES (1, 'one');\nINSERT INTO c VALUES (1, 1);\n"
	mig "$d" 0002_rebuild.sql "-- migc:foreign-keys-off\nCREATE TABLE p_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\nINSERT INTO p_new SELECT id, name FROM p;\nDROP TABLE p;\nALTER TABLE p_new RENAME TO p;\n"
	db=$tmp/fk.db
	build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM c JOIN p ON p.id = c.p')" = 1 ] || return 1
	# A rebuild that leaves a dangling reference is caught by foreign_key_check and rolled back.
	d3=$tmp/fk3
	mig "$d3" 0001_p.sql "$(cat "$d/0001_p.sql")"
	mig "$d3" 0002_bad.sql "-- migc:foreign-keys-off\nDELETE FROM p;\n"
	expect 1 "0002_bad.sql: foreign key violation after the migration (PRAGMA foreign_key_check): row 1 of table c references a missing row of p" \
		build/migc up --dir "$d3" --database "sqlite:$tmp/fk3.db" || return 1
	[ "$(q "$tmp/fk3.db" 'SELECT count(*) FROM p')" = 1 ]
}
check "sqlite: -- migc:foreign-keys-off rebuilds a referenced table and runs foreign_key_check" t_fk_off

# Every transactional SQLite migration runs with foreign keys off (the
# SQLite documentation's 12-step table rebuild): a parent's DROP TABLE is
# not an implicit DELETE that cascades into its children.
fkparent="CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) ON DELETE CASCADE);
CREATE TABLE s (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) ON DELETE SET NULL);
INSERT INTO p VALUES (1, 'one'), (2, 'two');
INSERT INTO c VALUES (1, 1), (2, 1), (3, 2);
INSERT INTO s VALUES (1, 1), (2, 2);
"
fkrebuild="CREATE TABLE p_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
INSERT INTO p_new SELECT id, name FROM p;
DROP TABLE p;
ALTER TABLE p_new RENAME TO p;
"
t_fk_default() {
	d=$tmp/fkdef
	mig "$d" 0001_p.sql "$fkparent"
	mig "$d" 0002_rebuild.sql "$fkrebuild"
	db=$tmp/fkdef.db
	rm -f "$db"
	expect 0 "applied 0002_rebuild" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM c JOIN p ON p.id = c.p')" = 3 ] || { echo "cascade children lost"; return 1; }
	[ "$(q "$db" 'SELECT count(*) FROM s JOIN p ON p.id = s.p')" = 2 ] || { echo "set-null children lost their parent"; return 1; }
	[ "$(q "$db" 'PRAGMA foreign_key_check')" = "" ] || return 1
	# The same in one transaction, and a down that rebuilds the parent again.
	mig "$d" 0002_rebuild.down.sql "$fkrebuild"
	rm -f "$db"
	expect 0 "applied 0002_rebuild" build/migc up --single-transaction --dir "$d" --database "sqlite:$db" || return 1
	expect 0 "reverted 0002_rebuild" build/migc down --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM c JOIN p ON p.id = c.p') $(q "$db" 'SELECT count(*) FROM s JOIN p ON p.id = s.p')" = "3 2" ]
}
check "sqlite: a parent-table rebuild without a directive keeps every CASCADE and SET NULL child row" t_fk_default

t_fk_orphan() {
	d=$tmp/fkorphan
	mig "$d" 0001_p.sql "$fkparent"
	mig "$d" 0002_orphan.sql "UPDATE p SET name = 'changed';\nINSERT INTO c VALUES (9, 7);\n"
	db=$tmp/fkorphan.db
	rm -f "$db"
	build/migc up --to 1 --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	dump "sqlite:$db" >"$tmp/before"
	expect 1 "0002_orphan.sql: foreign key violation after the migration (PRAGMA foreign_key_check): row 9 of table c references a missing row of p (rolled back)" \
		build/migc up --dir "$d" --database "sqlite:$db" || return 1
	dump "sqlite:$db" | cmp -s - "$tmp/before" || { echo "the failed migration left changes"; return 1; }
	[ "$(versions "sqlite:$db")" = 1 ]
}
check "sqlite: a migration that leaves an orphan row is refused, names the table, row and parent, and rolls back" t_fk_orphan

# The check is on what the migration did: an orphan that was there
# before (SQLite's default is foreign keys off) does not block every later
# migration, but a migration that adds one is still refused.
t_fk_old_orphan() {
	d=$tmp/fkold
	mig "$d" 0001_p.sql "$fkparent"
	mig "$d" 0002_index.sql "CREATE INDEX c_p ON c (p);\n"
	mig "$d" 0003_rebuild.sql "CREATE TABLE c_new (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id) ON DELETE CASCADE);\nINSERT INTO c_new SELECT * FROM c;\nDROP TABLE c;\nALTER TABLE c_new RENAME TO c;\n"
	mig "$d" 0004_orphan.sql "DELETE FROM p WHERE id = 1;\n"
	db=$tmp/fkold.db
	rm -f "$db"
	build/migc up --to 1 --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	q "$db" "INSERT INTO c VALUES (50, 99)" || return 1
	expect 0 "applied 0003_rebuild" build/migc up --to 3 --dir "$d" --database "sqlite:$db" || return 1
	grep -q "warning: the database already has 1 foreign key violation" "$tmp/expect.out" || return 1
	expect 1 "0004_orphan.sql: foreign key violation after the migration (PRAGMA foreign_key_check): row 1 of table c references a missing row of p" \
		build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(versions "sqlite:$db")" = "1,2,3" ]
}
check "sqlite: a foreign key violation that was already there does not block migrations; one a migration adds does" t_fk_old_orphan

# A no-transaction migration's statements, and their tracking writes,
# wait for a reader as long as --lock-timeout, as everything else does:
# the reader starts while the first statement computes, and holds the
# database while the second one writes.
slowcte='SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < NNN) SELECT i FROM n)'
t_notx_busy() {
	d=$tmp/notxbusy
	mig "$d" 0001_t.sql "CREATE TABLE t (x INTEGER);\nINSERT INTO t VALUES (0);\n"
	mig "$d" 0002_many.sql "-- migc:no-transaction\n$(echo "$slowcte" | sed s/NNN/3000000/);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n"
	db=$tmp/notxbusy.db
	rm -f "$db"
	build/migc up --to 1 --dir "$d" --database "sqlite:$db" >/dev/null || return 1
	build/migc up --dir "$d" --database "sqlite:$db" >"$tmp/notxbusy.out" 2>&1 &
	up=$!
	sleep 0.2
	sqlite3 "$db" "BEGIN; SELECT count(*) FROM t; $(echo "$slowcte" | sed s/NNN/6000000/); COMMIT;" >/dev/null
	wait $up
	st=$?
	cat "$tmp/notxbusy.out"
	[ $st = 0 ] && [ "$(q "$db" 'SELECT count(*) FROM t')" = 3 ] &&
		[ "$(q "$db" "SELECT statements_done FROM migc_migrations WHERE version = 2")" = 3 ]
}
check "sqlite: a no-transaction migration waits for a reader (busy timeout) instead of failing at once" t_notx_busy

t_fk_shared_parent() {
	d=$tmp/fkshared
	mig "$d" 0001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO a VALUES (1);\n"
	mig "$d" 0002_b.sql "CREATE TABLE b (id INTEGER PRIMARY KEY, a INTEGER REFERENCES a(id));\nINSERT INTO b VALUES (1, 1);\n"
	mig "$d" 0003_c.sql "CREATE TABLE c (id INTEGER PRIMARY KEY, a INTEGER REFERENCES a(id));\nINSERT INTO c VALUES (1, 1);\n"
	mig "$d" 0004_drop_a.sql "DROP TABLE a;\nCREATE TABLE b_new (id INTEGER PRIMARY KEY, a INTEGER);\nINSERT INTO b_new SELECT * FROM b;\nDROP TABLE b;\nALTER TABLE b_new RENAME TO b;\nCREATE TABLE c_new (id INTEGER PRIMARY KEY, a INTEGER);\nINSERT INTO c_new SELECT * FROM c;\nDROP TABLE c;\nALTER TABLE c_new RENAME TO c;\n"
	db=$tmp/fkshared.db
	rm -f "$db"
	expect 0 "applied 0004_drop_a" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM b') $(q "$db" 'SELECT count(*) FROM c')" = "1 1" ]
}
check "sqlite: a migration dropping a table that two others reference applies" t_fk_shared_parent

t_fk_on() {
	d=$tmp/fkon
	mig "$d" 0001_p.sql "$fkparent"
	mig "$d" 0002_cascade.sql "-- migc:foreign-keys-on\nDELETE FROM p WHERE id = 1;\n"
	db=$tmp/fkon.db
	rm -f "$db"
	expect 0 "applied 0002_cascade" build/migc up --dir "$d" --database "sqlite:$db" || return 1
	[ "$(q "$db" 'SELECT count(*) FROM c')" = 1 ] || { echo "the cascade did not run"; return 1; }
	[ "$(q "$db" 'SELECT count(*) FROM s WHERE p IS NULL')" = 1 ] || return 1
	expect 0 '"foreign_keys_off":false' build/migc list --json --dir "$d" || return 1
	grep -q '"version":1,[^}]*"foreign_keys_off":true' "$tmp/expect.out"
}
check "sqlite: -- migc:foreign-keys-on opts a data migration into enforcement (its cascades run)" t_fk_on
# SQLite URLs as sqlx writes them, and file: URIs, with the query
# parameters SQLite defines (run in a directory of their own, so that a
# file named after a whole URL would show).
t_sqlite_urls() {
	u=$tmp/urls
	rm -rf "$u"
	mkdir -p "$u"
	mg=$PWD/build/migc
	m=$base
	(
		cd "$u" || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database 'sqlite://data.db?mode=rwc' || exit 1
		[ "$(ls)" = data.db ] || { echo "files made: $(ls | tr '\n' ' ')"; exit 1; }
		[ "$(sqlite3 data.db 'SELECT count(*) FROM migc_migrations')" = 2 ] || exit 1
		# A read-only command takes the same URL: it neither creates nor fails on rwc.
		DATABASE_URL='sqlite://data.db?mode=rwc' expect 0 "2 applied, 0 pending" "$mg" status --dir "$m" || exit 1
		expect 1 "cannot open sqlite database" "$mg" status --dir "$m" --database 'sqlite://none.db?mode=rwc' || exit 1
		[ ! -e none.db ] || { echo "status created none.db"; exit 1; }
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database 'sqlite3://data3.db' || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database 'file:data4.db?mode=rwc&cache=private' || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database "sqlite://$u/abs.db?psow=1&nolock=0" || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database "file://$u/abs2.db" || exit 1
		# A name that really holds '?' (and '%'): percent-encoded, as SQLite decodes it.
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database 'sqlite:what%3F100%25.db' || exit 1
		[ -e 'what?100%.db' ] || { echo "no file what?100%.db: $(ls | tr '\n' ' ')"; exit 1; }
		# In memory, named or not: no file.
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database 'sqlite://mem.db?mode=memory' || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database 'sqlite::memory:?cache=shared' || exit 1
		[ ! -e mem.db ] || exit 1
		# mode=ro: status works, up fails cleanly and changes nothing.
		mig "$u/more" 0003_c.sql "CREATE TABLE c (x);\n"
		cp "$m"/*.sql "$u/more/"
		cp data.db before.db
		expect 0 "2 applied, 1 pending" "$mg" status --dir "$u/more" --database 'sqlite://data.db?mode=ro' || exit 1
		expect 1 "attempt to write a readonly database" "$mg" up --dir "$u/more" --database 'sqlite://data.db?mode=ro' || exit 1
		cmp data.db before.db || exit 1
		# Unknown parameters and values: exit 2, named, nothing made.
		expect 2 "unknown parameter 'journal_mode' in the SQLite URL: known are vfs, mode, cache, psow, nolock, immutable" \
			"$mg" up --dir "$m" --database 'sqlite://new.db?journal_mode=wal' || exit 1
		expect 2 "mode=rwx in the SQLite URL: mode is ro, rw, rwc or memory" \
			"$mg" up --dir "$m" --database 'sqlite://new.db?mode=rwx' || exit 1
		expect 2 "immutable=maybe in the SQLite URL: immutable is a boolean" \
			"$mg" up --dir "$m" --database 'file:new.db?immutable=maybe' || exit 1
		[ ! -e new.db ] || { echo "new.db was made"; exit 1; }
		# sqlite:, sqlite://, sqlite:///abs and sqlite::memory: as before.
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database "sqlite:plain.db" || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database "sqlite://slashes.db" || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database "sqlite://$u/abs3.db" || exit 1
		expect 0 "applied 0002_b" "$mg" up --dir "$m" --database "sqlite::memory:" || exit 1
		for f in plain.db slashes.db abs.db abs2.db abs3.db data3.db data4.db; do
			[ "$(sqlite3 "$f" 'SELECT count(*) FROM migc_migrations')" = 2 ] || { echo "$f"; exit 1; }
		done
	)
}
check "sqlite: sqlx-style URLs and file: URIs with SQLite's parameters; unknown ones refused" t_sqlite_urls

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

t_new() {
	d=$tmp/new
	cp -r "$base" "$d"
	expect 0 "created $d/0003_add_index.sql" build/migc new add_index --dir "$d" || return 1
	[ -f "$d/0003_add_index.down.sql" ] || return 1
	expect 2 "invalid migration name 'bad name'" build/migc new 'bad name' --dir "$d" || return 1
	expect 0 "0003_add_index  0 statements" build/migc list --dir "$d"
}
check "cli: migc new creates the next numbered up and down files" t_new

t_api() {
	build/migc gen --dialect sqlite --name app_migrations -o "$tmp/api_set.c" tests/api &&
	cbuild "$tmp/api_test" -Wall -Wextra -Werror tests/unit/api_test.c tests/unit/testlib.c "$tmp/api_set.c" 2>&1 || return 1
}
if check "api: api_test builds against libmigc.a" t_api; then
	unit "$tmp/api_test" "$tmp"
fi

t_readme_example() {
	readmeblock example >"$tmp/example.c"
	[ -s "$tmp/example.c" ] || { echo "no example in README.md"; return 1; }
	build/migc gen --dialect sqlite --name app_migrations -o "$tmp/example_set.c" migrations/sqlite &&
	(PQ_LIBS= && cbuild "$tmp/example" -Wall -Wextra -Werror "$tmp/example.c" "$tmp/example_set.c") &&
	nolibpq "$tmp/example" && (cd "$tmp" && ./example) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ]
}
check "readme: the embedding example compiles with -Werror, links without libpq and migrates app.db" t_readme_example

t_ninja_regen() {
	src=$tmp/regen
	mkdir -p "$src"
	cp -r configure build.ninja compat gen runtime migrations tests "$src/" || return 1
	(cd "$src" && ./configure >/dev/null && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 6 ] || return 1
	sdir=$src/migrations/sqlite
	# A new file is refused until migc.sum records it; then the build picks it up.
	printf 'CREATE TABLE extra (x);\n' >"$sdir/0007_extra.sql"
	expect 1 "0007_extra.sql is not in migrations/sqlite/migc.sum: run migc hash" sh -c "cd '$src' && ninja build/migrate" || return 1
	"$src/build/migc" hash "$sdir" >/dev/null && (cd "$src" && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 7 ] || return 1
	printf 'CREATE TABLE extra (x, y);\n' >"$sdir/0007_extra.sql"
	expect 1 "0007_extra.sql was edited since" sh -c "cd '$src' && ninja build/migrate" || return 1
	"$src/build/migc" hash "$sdir" >/dev/null && (cd "$src" && ninja build/migrate >/dev/null) || return 1
	"$src/build/migrate" show 7 | grep -q 'x, y' || return 1
	rm "$sdir/0007_extra.sql"
	expect 1 "0007_extra.sql (version 7) was removed" sh -c "cd '$src' && ninja build/migrate" || return 1
	"$src/build/migc" hash "$sdir" >/dev/null && (cd "$src" && ninja build/migrate >/dev/null) || return 1
	[ "$("$src/build/migrate" list | wc -l)" = 6 ]
}
check "build: adding, editing or removing a migration stops the build until migc hash, then rebuilds build/migrate" t_ninja_regen

t_configure_install() {
	src=$tmp/regen
	expect 1 "re2c not found: apt-get install re2c" sh -c "cd '$src' && RE2C=no-such-re2c ./configure" || return 1
	expect 1 "sqlite3 not found: apt-get install libsqlite3-dev" \
		sh -c "cd '$src' && PKG_CONFIG_LIBDIR=/nonexistent ./configure" || return 1
	mkdir -p "$tmp/pc"
	cp "$(pkg-config --variable=pcfiledir sqlite3)/sqlite3.pc" "$tmp/pc/" || return 1
	expect 1 "libpq not found: apt-get install libpq-dev (or ./configure --without-postgres)" \
		sh -c "cd '$src' && PKG_CONFIG_LIBDIR=$tmp/pc ./configure" || return 1
	expect 0 "wrote build/config.ninja" sh -c "cd '$src' && PKG_CONFIG_LIBDIR=$tmp/pc ./configure --without-postgres" || return 1
	expect 1 "unknown option '--frob'" sh -c "cd '$src' && ./configure --frob" || return 1
	expect 1 "--sanitize and --static do not go together" sh -c "cd '$src' && ./configure --static --sanitize" || return 1
	# A libpq without the server's static libraries: configure names the package.
	mkdir -p "$tmp/fakepg/lib"
	printf '#!/bin/sh\ncase $1 in --pkglibdir) echo %s/fakepg/lib ;; --version) echo "PostgreSQL 15.20" ;; esac\n' "$tmp" >"$tmp/fakepg/pg_config"
	chmod +x "$tmp/fakepg/pg_config"
	expect 1 "--static needs libpgcommon_shlib.a: apt-get install postgresql-server-dev-15" \
		sh -c "cd '$src' && PG_CONFIG='$tmp/fakepg/pg_config' ./configure --static" || return 1
	(cd "$src" && ./configure --prefix="$tmp/prefix" >/dev/null && ninja install >/dev/null) || return 1
	(cd "$src" && DESTDIR=$tmp/stage ninja install >/dev/null) || return 1
	for f in bin/migc lib/libmigc.a lib/libmigc_nogss.a include/migc.h lib/pkgconfig/migc.pc lib/pkgconfig/migc-sqlite.pc; do
		[ -f "$tmp/prefix/$f" ] && [ -f "$tmp/stage$tmp/prefix/$f" ] || { echo "missing $f"; return 1; }
	done
	static=
	[ "${STATIC:-no}" = yes ] && static=--static
	flags=$(PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig pkg-config $static --cflags --libs migc) || return 1
	"$tmp/prefix/bin/migc" gen --dialect sqlite --name app_migrations -o "$tmp/inst_set.c" migrations/sqlite &&
	$CC $LDFLAGS -std=c99 "$tmp/example.c" "$tmp/inst_set.c" $flags -o "$tmp/inst_example" || return 1
	(cd "$tmp" && rm -f app.db && ./inst_example >/dev/null) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	flags=$(PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig pkg-config $static --cflags --libs migc-sqlite) || return 1
	case " $flags " in *" -lpq "*) echo "migc-sqlite.pc names libpq: $flags"; return 1 ;; esac
	$CC $LDFLAGS -std=c99 "$tmp/example.c" "$tmp/inst_set.c" $flags -o "$tmp/inst_example" &&
		nolibpq "$tmp/inst_example" || return 1
	(cd "$tmp" && rm -f app.db && ./inst_example >/dev/null) || return 1
	[ "$(q "$tmp/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ]
}
check "build: configure names missing packages; ninja install (prefix, DESTDIR) gives usable migc.pc and migc-sqlite.pc" t_configure_install

# The README's vendoring snippets, each building README's embedding example
# against migc as installed (staged here: bin/migc, lib/, include/, migc.pc)
# with a dynamic link; then a new migration must reach the rebuilt binary.
vprefix=$tmp/vendor-prefix
stage "$vprefix"
vldflags=$(echo " $LDFLAGS " | sed 's/ -static / /')

# vbuild TOOL DIR: build DIR/app with TOOL (ninja, make or cmake).
vbuild() {
	(
		cd "$2" || exit 1
		PATH=$vprefix/bin:$PATH PKG_CONFIG_PATH=$vprefix/lib/pkgconfig
		export PATH PKG_CONFIG_PATH
		case $1 in
		ninja) ninja ;;
		make) make CC="$CC" LDFLAGS="$vldflags" ;;
		cmake) { [ -d b ] || CC=$CC LDFLAGS=$vldflags cmake -S . -B b; } && cmake --build b && cp b/app app ;;
		esac
	) >"$2/build.log" 2>&1 || { tail -n 20 "$2/build.log"; return 1; }
}

t_vendor() {
	d=$tmp/vendor-$1
	rm -rf "$d" && mkdir -p "$d" && cp -r migrations/sqlite "$d/migrations" || return 1
	readmeblock example >"$d/app.c"
	case $1 in
	ninja) printf 'cc = %s\ncflags =\nldflags = %s\n' "$CC" "$vldflags" >"$d/build.ninja"
		readmeblock vendor-ninja >>"$d/build.ninja" ;;
	make) readmeblock vendor-make >"$d/Makefile" ;;
	cmake) readmeblock vendor-cmake >"$d/CMakeLists.txt" ;;
	esac
	vbuild "$1" "$d" && (cd "$d" && ./app >/dev/null) || return 1
	[ "$(q "$d/app.db" 'SELECT count(*) FROM migc_migrations')" = 6 ] || return 1
	# A new migration: the next build regenerates the C and relinks.
	sleep 1
	printf 'CREATE TABLE extra (x);\n' >"$d/migrations/0007_extra.sql"
	"$vprefix/bin/migc" hash "$d/migrations" >/dev/null && vbuild "$1" "$d" &&
		(cd "$d" && ./app >/dev/null) || return 1
	[ "$(q "$d/app.db" 'SELECT count(*) FROM migc_migrations')" = 7 ] || return 1
	# An edit to an applied migration's file reaches the binary too (and is refused).
	sleep 1
	printf '\n-- edited\n' >>"$d/migrations/0007_extra.sql"
	"$vprefix/bin/migc" hash "$d/migrations" >/dev/null && vbuild "$1" "$d" || return 1
	expect 1 "0007_extra.sql was edited after it was applied" sh -c "cd '$d' && ./app"
}
for tool in ninja make cmake; do
	check "vendor: README's $tool snippet builds the application, regenerates its C when a migration is added or edited" \
		t_vendor "$tool"
done

t_lock_timeout() {
	db=$tmp/locked.db
	build/migc up --to 1 --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	# Another connection holds the write lock for three seconds.
	(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 3; printf 'COMMIT;\n') | sqlite3 "$db" >/dev/null &
	holder=$!
	sleep 1
	expect 1 "the database stayed locked by another connection for the whole lock timeout (1 s)" \
		build/migc up --lock-timeout 1 --dir "$base" --database "sqlite:$db"
	st=$?
	wait "$holder"
	[ $st -eq 0 ] || return 1
	[ "$(q "$db" 'SELECT count(*) FROM migc_migrations')" = 1 ] || return 1
	expect 0 "applied 0002_b" build/migc up --lock-timeout 5 --dir "$base" --database "sqlite:$db" || return 1
	# Up to date, up reads the table and neither takes nor waits for the lock.
	(printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 3; printf 'COMMIT;\n') | sqlite3 "$db" >/dev/null &
	holder=$!
	sleep 1
	expect 0 "nothing to apply" build/migc up --lock-timeout 1 --dir "$base" --database "sqlite:$db"
	st=$?
	wait "$holder"
	return $st
}
check "concurrency: --lock-timeout bounds the wait for another writer (exit 1), then up succeeds; an up-to-date up does not wait" t_lock_timeout

# sumdir NAME: a copy of the base set with a fresh migc.sum.
sumdir() {
	rm -rf "$tmp/sum/$1"
	mkdir -p "$tmp/sum"
	cp -r "$base" "$tmp/sum/$1"
	build/migc hash "$tmp/sum/$1" >/dev/null
	echo "$tmp/sum/$1"
}

t_check_ok() {
	d=$(sumdir ok)
	expect 0 "ok: 2 migrations match $d/migc.sum" build/migc check "$d" || return 1
	expect 0 '{"ok":true,"migrations":2,"problems":[]}' build/migc check --json "$d" || return 1
	# Line endings do not matter, in the files or in migc.sum itself.
	sed 's/$/\r/' "$d/0001_a.sql" >"$d/x" && mv "$d/x" "$d/0001_a.sql"
	sed 's/$/\r/' "$d/migc.sum" >"$d/x" && mv "$d/x" "$d/migc.sum"
	expect 0 "ok: 2 migrations match" build/migc check "$d" || return 1
	expect 2 "check needs a directory" build/migc check
}
check "check: migc hash then migc check pass, CRLF in the files or in migc.sum makes no difference" t_check_ok

t_check_problems() {
	d=$(sumdir edited)
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, y TEXT);\n' >"$d/0001_a.sql"
	expect 3 "0001_a.sql was edited since $d/migc.sum was written" build/migc check "$d" || return 1
	expect 3 '"version":1,"file":"0001_a.sql","problem":"edited"' build/migc check --json "$d" || return 1
	expect 3 "0001_a.sql was edited since" build/migc gen --dialect sqlite -o "$tmp/x.c" "$d" || return 1
	[ ! -e "$tmp/x.c" ] || return 1
	build/migc gen --no-sum --dialect sqlite -o "$tmp/x.c" "$d" && [ -s "$tmp/x.c" ] || return 1
	d=$(sumdir removed)
	rm "$d/0001_a.sql" "$d/0001_a.down.sql"
	expect 3 "0001_a.sql (version 1) was removed, but $d/migc.sum lists it" build/migc check "$d" || return 1
	d=$(sumdir renamed)
	mv "$d/0002_b.sql" "$d/0002_bee.sql"
	mv "$d/0002_b.down.sql" "$d/0002_bee.down.sql"
	expect 3 "0002_bee.sql was renamed: $d/migc.sum lists it as 0002_b.sql" build/migc check "$d" || return 1
	d=$(sumdir renumbered)
	mv "$d/0002_b.sql" "$d/0003_b.sql"
	mv "$d/0002_b.down.sql" "$d/0003_b.down.sql"
	expect 3 "0003_b.sql was renumbered: $d/migc.sum lists it as version 2 (0002_b.sql)" build/migc check "$d" || return 1
	d=$(sumdir below)
	mv "$d/0002_b.sql" "$d/0003_b.sql"
	mv "$d/0002_b.down.sql" "$d/0003_b.down.sql"
	build/migc hash "$d" >/dev/null
	mig "$d" 0002_late.sql "CREATE TABLE late (x INTEGER);\n"
	expect 3 "0002_late.sql was added with version 2, below the highest version $d/migc.sum lists (3)" build/migc check "$d" || return 1
	d=$(sumdir unrecorded)
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	expect 3 "0003_c.sql is not in $d/migc.sum: run migc hash" build/migc check "$d" || return 1
	rm "$d/migc.sum"
	expect 3 "$d/migc.sum: no such file: run migc hash first" build/migc check "$d"
}
check "check: edited, removed, renamed, renumbered, added below, unrecorded: exit 3 naming each; gen refuses unless --no-sum" t_check_problems

t_check_tampered() {
	d=$(sumdir tampered)
	sed 's/^1 0001_a.sql/1 0001_z.sql/' "$d/migc.sum" >"$d/x" && mv "$d/x" "$d/migc.sum"
	expect 3 "$d/migc.sum:1: the header hash does not match the lines below" build/migc check "$d" || return 1
	d=$(sumdir truncated)
	head -n 2 "$d/migc.sum" >"$d/x" && mv "$d/x" "$d/migc.sum"
	expect 3 "the header hash does not match" build/migc check "$d" || return 1
	d=$(sumdir garbage)
	echo "hello" >"$d/migc.sum"
	expect 3 "not a migc.sum of format 1" build/migc check "$d"
}
check "check: a tampered, truncated or foreign migc.sum fails (exit 3)" t_check_tampered

t_check_against() {
	d=$(sumdir against)
	cp "$d/migc.sum" "$tmp/sum/release.sum"
	mig "$d" 0003_c.sql "CREATE TABLE c (x INTEGER);\n"
	build/migc hash "$d" >/dev/null
	expect 0 "ok: 3 migrations match $d/migc.sum and $tmp/sum/release.sum" build/migc check --against "$tmp/sum/release.sum" "$d" || return 1
	old=$(sed -n 's/^1 0001_a.sql \(c1:[0-9a-f]*\) .*/\1/p' "$d/migc.sum")
	printf 'CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL);\n' >"$d/0001_a.sql"
	build/migc hash "$d" >/dev/null
	expect 3 "0001_a.sql was edited since $tmp/sum/release.sum was written" build/migc check --against "$tmp/sum/release.sum" "$d" || return 1
	printf -- '-- migc:also-accept %s\nCREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT NOT NULL);\n' "$old" >"$d/0001_a.sql"
	build/migc hash "$d" >/dev/null
	expect 0 "note: 0001_a.sql was edited since $tmp/sum/release.sum was written, and accepts its old checksum" \
		build/migc check --against "$tmp/sum/release.sum" "$d"
}
check "check --against: new migrations pass, an edited released one fails unless it carries migc:also-accept" t_check_against

t_check_git_merge() {
	command -v git >/dev/null || { echo "git is not installed"; return 1; }
	r=$tmp/sum/repo
	rm -rf "$r"
	mkdir -p "$r"
	cp -r "$base" "$r/migrations"
	g() { git -C "$r" -c user.name=t -c user.email=t@example.invalid "$@" >/dev/null 2>&1; }
	g init -q -b main && build/migc hash "$r/migrations" >/dev/null && g add -A && g commit -qm base || return 1
	g checkout -q -b one && mig "$r/migrations" 0003_one.sql "CREATE TABLE one (x INTEGER);\n" &&
	build/migc hash "$r/migrations" >/dev/null && g add -A && g commit -qm one || return 1
	g checkout -q main && g checkout -q -b two && mig "$r/migrations" 0004_two.sql "CREATE TABLE two (x INTEGER);\n" &&
	build/migc hash "$r/migrations" >/dev/null && g add -A && g commit -qm two || return 1
	# A plain merge conflicts on migc.sum.
	g checkout -q one
	if g merge -q two; then echo "the merge did not conflict"; return 1; fi
	git -C "$r" diff --name-only --diff-filter=U | grep -qx migrations/migc.sum || return 1
	g merge --abort
	# A merge told to take both sides (merge=union) goes through, and check fails.
	echo 'migc.sum merge=union' >"$r/migrations/.gitattributes"
	g add -A && g commit -qm attrs && g merge -q two || { echo "the union merge failed"; return 1; }
	expect 3 "migc.sum:1: the header hash does not match the lines below" build/migc check "$r/migrations"
}
check "check: two branches appending migrations conflict in git, and a union merge fails the check" t_check_git_merge

t_demo_sums() {
	expect 0 "ok: 6 migrations match migrations/sqlite/migc.sum" build/migc check migrations/sqlite &&
	expect 0 "ok: 6 migrations match migrations/postgres/migc.sum" build/migc check migrations/postgres
}
check "check: the demo sets match their committed migc.sum" t_demo_sums

t_replay_fingerprint() {
	d=$tmp/replayfp-dir
	rm -rf "$d"
	cp -r "$base" "$d"
	embed replayfp "$d" || return 1
	grep -q '"s1:[0-9a-f]\{64\}" },$' "$tmp/replayfp.c" || { echo "no fingerprint embedded"; return 1; }
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
	grep -q "but replaying the migrations at build time gave s1:" "$tmp/expect.out"
}
check "gen: the build-time replay embeds each version's schema fingerprint, and verify --schema holds the database to it" t_replay_fingerprint

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
