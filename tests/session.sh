# tests/session.sh: session state never leaks from one migration into the
# next, sourced by tests/run once per backend ($B). Each case is a set of two
# migrations: the first changes the connection's state (a SET, a PRAGMA, a
# temporary table, ...), the second does something whose result depends on
# it. Applied in one `up` and in two (`up --to 1`, then `up`), both must
# give the same exit status, data and schema: each migration starts from
# the state a run starts with, however many ran before it in the run.

mkdir -p "$tmp/$B/session"

# sstate URL: what the migrations made: schema and data (the tracking
# table's rows, with their times, left out), and on PostgreSQL the owners
# (pg_dump --no-owner leaves them out).
sstate() {
	if [ "$B" = sqlite ]; then
		dump "$1" | grep -v '^INSERT INTO migc_migrations '
		return
	fi
	"$PGBIN/pg_dump" --no-owner --exclude-table-data=migc_migrations -d "$1" | grep -v '^--\|^\\restrict\|^\\unrestrict'
	q "$1" "SELECT schemaname || '.' || tablename || ' ' || tableowner FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'migc_migrations' ORDER BY 1"
	q "$1" "SELECT count(*) || ' tracking rows' FROM migc_migrations"
}

# samestate NAME FIRST SECOND: the case; FIRST and SECOND are the files' text.
samestate() {
	sd=$tmp/$B/session/$1
	rm -rf "$sd"
	mig "$sd" 0001_first.sql "$2"
	mig "$sd" 0002_second.sql "$3"
	one=$(newdb "ss_$1_one")
	two=$(newdb "ss_$1_two")
	build/migc up --dir "$sd" --database "$one" >"$tmp/ss.one" 2>&1
	st1=$?
	build/migc up --to 1 --dir "$sd" --database "$two" >"$tmp/ss.two" 2>&1 &&
		build/migc up --dir "$sd" --database "$two" >>"$tmp/ss.two" 2>&1
	st2=$?
	sstate "$one" | sed "s/ss_$1_one/DB/g" >"$tmp/ss.state1"
	sstate "$two" | sed "s/ss_$1_two/DB/g" >"$tmp/ss.state2"
	[ -s "$tmp/ss.state1" ] || { echo "no state read"; return 1; }
	if [ $st1 != $st2 ] || ! cmp -s "$tmp/ss.state1" "$tmp/ss.state2"; then
		echo "one run: exit $st1"; cat "$tmp/ss.one"
		echo "two runs: exit $st2"; cat "$tmp/ss.two"
		diff "$tmp/ss.state1" "$tmp/ss.state2" | head -n 20
		return 1
	fi
	[ $st1 = 0 ] || { echo "both runs failed:"; cat "$tmp/ss.one"; return 1; }
}

if [ "$B" = sqlite ]; then
	t_ss_attach() {
		samestate attach "-- migc:no-transaction\nATTACH ':memory:' AS aux;\n" \
			"CREATE TABLE dbs AS SELECT count(*) AS n FROM pragma_database_list WHERE name = 'aux';\n"
	}
	check "[sqlite] session: a no-transaction ATTACH is detached before the next migration" t_ss_attach

	t_ss_legacy_alter() {
		samestate legacy "PRAGMA legacy_alter_table = ON;\n" \
			"CREATE TABLE p (x INTEGER);\nCREATE VIEW v AS SELECT x FROM p;\nALTER TABLE p RENAME TO p2;\n"
	}
	check "[sqlite] session: PRAGMA legacy_alter_table does not leak into the next migration" t_ss_legacy_alter

	t_ss_fk_notx() {
		samestate fknotx "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (p INTEGER REFERENCES p(id) ON DELETE CASCADE);\nINSERT INTO p VALUES (1);\nINSERT INTO c VALUES (1);\n" \
			"-- migc:no-transaction\nPRAGMA foreign_keys = OFF;\nDELETE FROM p;\n" &&
		samestate fknotx2 "-- migc:no-transaction\nPRAGMA foreign_keys = OFF;\n" \
			"-- migc:no-transaction\nCREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE c (p INTEGER REFERENCES p(id) ON DELETE CASCADE);\nINSERT INTO p VALUES (1);\nINSERT INTO c VALUES (1);\nDELETE FROM p;\n"
	}
	check "[sqlite] session: a no-transaction PRAGMA foreign_keys = OFF does not leak into the next migration" t_ss_fk_notx

	t_ss_recursive() {
		samestate recursive "PRAGMA recursive_triggers = ON;\n" \
			"CREATE TABLE r (n INTEGER);\nCREATE TRIGGER r_more AFTER INSERT ON r WHEN new.n < 5 BEGIN INSERT INTO r VALUES (new.n + 1); END;\nINSERT INTO r VALUES (1);\n"
	}
	check "[sqlite] session: PRAGMA recursive_triggers does not leak into the next migration" t_ss_recursive

	t_ss_temp() {
		samestate temp "CREATE TEMP TABLE stage AS SELECT 1 AS v;\n" \
			"CREATE TABLE IF NOT EXISTS main.stage (v INTEGER);\nINSERT INTO stage VALUES (2);\n"
	}
	check "[sqlite] session: a temporary table does not outlive its migration" t_ss_temp

	t_ss_temp_fk() {
		samestate tempfk "-- migc:no-transaction\nCREATE TEMP TABLE p (id INTEGER PRIMARY KEY);\nCREATE TEMP TABLE c (p INTEGER REFERENCES p(id));\nINSERT INTO p VALUES (1);\nINSERT INTO c VALUES (1);\n" \
			"CREATE TABLE p (id INTEGER PRIMARY KEY);\nINSERT INTO p VALUES (42);\n"
	}
	check "[sqlite] session: temporary tables that reference each other are dropped too (the next migration's p is main.p)" t_ss_temp_fk

	t_ss_max_page_count() {
		samestate maxpages "-- migc:no-transaction\nPRAGMA max_page_count = 3;\n" \
			"CREATE TABLE big (b BLOB);\nINSERT INTO big VALUES (zeroblob(100000));\n"
	}
	check "[sqlite] session: PRAGMA max_page_count does not leak into the next migration" t_ss_max_page_count

	t_ss_query_only() {
		samestate queryonly "CREATE TABLE q (x INTEGER);\nPRAGMA query_only = ON;\n" "INSERT INTO q VALUES (1);\n"
	}
	check "[sqlite] session: PRAGMA query_only neither blocks the migration's own tracking row nor the next migration" t_ss_query_only
else
	t_ss_encoding() {
		samestate encoding "SET client_encoding = 'LATIN1';\n" "CREATE TABLE e (s text);\nINSERT INTO e VALUES ('café');\n"
	}
	check "[postgres] session: SET client_encoding does not leak (no cafÃ© in the next migration)" t_ss_encoding

	t_ss_replica() {
		samestate replica "CREATE TABLE t (x integer);\nCREATE TABLE tlog (x integer);\nCREATE FUNCTION tlogf() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO tlog VALUES (NEW.x); RETURN NEW; END \$\$;\nCREATE TRIGGER tlogt AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION tlogf();\nSET session_replication_role = replica;\n" \
			"INSERT INTO t VALUES (1);\n"
	}
	check "[postgres] session: SET session_replication_role = replica does not switch off the next migration's triggers" t_ss_replica

	t_ss_search_path() {
		samestate searchpath "CREATE SCHEMA other;\nSET search_path = other;\n" "CREATE TABLE x (a integer);\n" &&
		samestate setconfig "SELECT pg_catalog.set_config('search_path', '', false);\n" "CREATE TABLE y (a integer);\n"
	}
	check "[postgres] session: SET search_path and a pg_dump-style set_config('search_path', '', false) do not leak" t_ss_search_path

	t_ss_role() {
		samestate role "SET ROLE migc_pw;\n" "CREATE TABLE owned_r (a integer);\n" &&
		samestate sessauth "SET SESSION AUTHORIZATION migc_pw;\n" "CREATE TABLE owned_s (a integer);\n"
	}
	check "[postgres] session: SET ROLE and SET SESSION AUTHORIZATION do not leak (the next migration's tables keep their owner)" t_ss_role

	t_ss_timeout() {
		samestate timeout "SET statement_timeout = '100ms';\n" "SELECT pg_sleep(0.6);\nCREATE TABLE slept (a integer);\n"
	}
	check "[postgres] session: SET statement_timeout does not leak into the next migration" t_ss_timeout

	t_ss_cursor_temp() {
		samestate cursortemp "CREATE TABLE a (x integer);\nCREATE TEMP TABLE tt AS SELECT 1 AS x;\nDECLARE c CURSOR FOR SELECT * FROM tt;\nFETCH c;\n" \
			"CREATE TEMP TABLE tt AS SELECT 2 AS x;\nCREATE TABLE b AS SELECT x FROM tt;\n" &&
		samestate holdcursor "DECLARE hc CURSOR WITH HOLD FOR SELECT 1;\n" "DECLARE hc CURSOR WITH HOLD FOR SELECT 2;\nCREATE TABLE h (x integer);\n"
	}
	check "[postgres] session: a cursor over a temporary table, and a WITH HOLD cursor, do not outlive their migration" t_ss_cursor_temp

	# The reset drops the migration's 300 temporary tables (DISCARD TEMP,
	# some 40 ms): under the migration's 5 ms timeout it would be cancelled
	# every time, while the SET that lifts the timeout first takes some
	# 30 us, a margin that load does not eat (with 1 ms it did, once in
	# a few runs on two busy cores).
	t_ss_timeout_short() {
		samestate timeout5 "CREATE TABLE a (x integer);\nDO \$\$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('CREATE TEMP TABLE tt%s (x integer)', i); END LOOP; END \$\$;\nSET statement_timeout = 5;\n" \
			"CREATE TABLE b (x integer);\n" &&
		samestate lock1 "CREATE TABLE a (x integer);\nSET lock_timeout = 1;\n" "CREATE TABLE b (x integer);\n"
	}
	check "[postgres] session: a migration's 5 ms statement_timeout does not reach the reset after it (which drops 300 temporary tables)" t_ss_timeout_short

	# Once set, a custom setting stays defined in the session (as after
	# DISCARD ALL): it reads '' afterwards, where a new session has none.
	t_ss_custom() {
		samestate custom "SET myapp.tenant = 'x';\n" "CREATE TABLE c AS SELECT coalesce(current_setting('myapp.tenant', true), '') AS t;\n"
	}
	check "[postgres] session: a custom setting (myapp.tenant) does not leak into the next migration" t_ss_custom

	t_ss_datestyle() {
		samestate datestyle "SET DateStyle = 'SQL, DMY';\n" "CREATE TABLE d AS SELECT '01/02/2020'::date AS d;\n"
	}
	check "[postgres] session: any other SET (DateStyle) does not leak into the next migration" t_ss_datestyle

	t_ss_pg_temp() {
		samestate pgtemp "CREATE TEMP TABLE stage AS SELECT 1 AS v;\n" \
			"CREATE TABLE IF NOT EXISTS public.stage (v integer);\nINSERT INTO stage VALUES (2);\n"
	}
	check "[postgres] session: a temporary table does not outlive its migration" t_ss_pg_temp

	t_ss_prepare() {
		samestate prepare "CREATE TABLE pr (a integer);\nPREPARE ins AS INSERT INTO pr VALUES (1);\nEXECUTE ins;\n" \
			"PREPARE ins AS INSERT INTO pr VALUES (2);\nEXECUTE ins;\n"
	}
	check "[postgres] session: a prepared statement does not outlive its migration" t_ss_prepare

	t_ss_listen() {
		samestate listen "LISTEN migc_chan;\n" "CREATE TABLE l AS SELECT count(*) AS n FROM pg_listening_channels();\n"
	}
	check "[postgres] session: LISTEN does not outlive its migration" t_ss_listen

	t_ss_lowrole() {
		q "$PGURL" "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'migc_low') THEN CREATE ROLE migc_low; END IF; END \$\$" || return 1
		samestate lowrole "CREATE TABLE lr (a integer);\nGRANT ALL ON lr TO migc_low;\nSET ROLE migc_low;\nINSERT INTO lr VALUES (1);\n" "INSERT INTO lr VALUES (2);\n"
	}
	check "[postgres] session: SET ROLE to a role that cannot write the tracking table does not stop the migration being recorded" t_ss_lowrole
fi
