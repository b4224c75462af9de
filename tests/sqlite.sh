# tests/sqlite.sh: SQLite-only behaviour, run with $B=sqlite: foreign
# keys around a table rebuild, the busy timeout of a no-transaction
# migration, and the URLs and file: URIs SQLite takes.

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
		# On a file not there yet: everything pending, as on an empty PostgreSQL database (issue 17).
		expect 0 "(no such file yet: nothing applied)" "$mg" status --dir "$m" --database 'sqlite://none.db?mode=rwc' || exit 1
		grep -q "^0 applied, 2 pending" "$tmp/expect.out" || exit 1
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

# A row the read cannot take after others (a NULL where the layout has NOT NULL, made
# by hand through writable_schema) fails each command that reads the table
# cleanly: exit 1 naming it, and, under --sanitize, nothing leaked.
t_sqlite_null_row() {
	db=$tmp/nullrow.db
	build/migc up --dir "$base" --database "sqlite:$db" >/dev/null || return 1
	sqlite3 "$db" "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'checksum TEXT NOT NULL', 'checksum TEXT') WHERE name = 'migc_migrations';" &&
		sqlite3 "$db" "UPDATE migc_migrations SET checksum = NULL WHERE version = 2" || return 1
	for c in up "up --dry-run" redo status; do
		# shellcheck disable=SC2086
		expect 1 "a NULL in the tracking table migc_migrations" build/migc $c --dir "$base" --database "sqlite:$db" ||
			return 1
		! grep -q "LeakSanitizer" "$tmp/expect.out" || return 1
	done
}
check "sqlite: a tracking row with a NULL checksum fails up, up --dry-run, redo and status with exit 1, leaking nothing" t_sqlite_null_row
