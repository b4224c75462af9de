# tests/adopt.sh: migc adopt on the tracking tables of the tools that are
# not run for real here (tests/tools.sh runs dbmate and sql-migrate): each
# table is made and filled as that tool's source makes and fills it, at
# the version named, half-applied states included. Whatever adopt
# refuses, it records nothing and leaves the tool's table as it was.

mkdir -p "$tmp/$B"

# toolddl TOOL: the CREATE TABLE of TOOL's tracking table on $B.
toolddl() {
	case $1/$B in
	goose/*) gooseddl ;;   # tests/lib.sh
	# golang-migrate v4.18 (database/postgres/postgres.go, database/sqlite3/sqlite3.go)
	golang-migrate/postgres) echo 'CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null)' ;;
	golang-migrate/sqlite) echo "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool); CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)" ;;
	# sqlx 0.8 (sqlx-postgres/src/migrate.rs, sqlx-sqlite/src/migrate.rs)
	sqlx/postgres) echo "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)" ;;
	sqlx/sqlite) echo "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)" ;;
	# Flyway 10 (flyway-database-postgresql createMetaDataTable.sql, flyway-sqlite's)
	flyway/postgres) echo 'CREATE TABLE "flyway_schema_history" ("installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL, "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER, "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(), "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL); ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank"); CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")' ;;
	flyway/sqlite) echo "CREATE TABLE \"flyway_schema_history\" (\"installed_rank\" INT NOT NULL PRIMARY KEY, \"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INT, \"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), \"execution_time\" INT NOT NULL, \"success\" BOOLEAN NOT NULL); CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\")" ;;
	# refinery 0.8 (refinery_core/src/drivers: postgres.rs, rusqlite.rs)
	refinery/postgres) echo "CREATE TABLE IF NOT EXISTS refinery_schema_history( version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255))" ;;
	refinery/sqlite) echo "CREATE TABLE IF NOT EXISTS refinery_schema_history( version INTEGER PRIMARY KEY, name TEXT, applied_on TEXT, checksum TEXT)" ;;
	esac
}

# flywaysum FILE: Flyway's checksum of FILE: the CRC-32 of its lines
# without their line endings (gzip's trailer holds the CRC-32), signed.
flywaysum() {
	_c=$(tr -d '\r\n' <"$1" | gzip -c | tail -c 8 | od -An -tu4 -N4 | tr -d ' ')
	[ "$_c" -gt 2147483647 ] && _c=$((_c - 4294967296))
	echo "$_c"
}

# flywayrow RANK VERSION TYPE SCRIPT CHECKSUM SUCCESS: a row as Flyway
# writes it (VERSION and CHECKSUM may be NULL).
flywayrow() {
	echo "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES ($1, $2, 'x', '$3', '$4', $5, 'app', 10, $(pick "$6" "$([ "$6" = 1 ] && echo true || echo false)"))"
}

# sqlxrow V DESC FILE SUCCESS: the row sqlx writes for FILE, its checksum
# the SHA-384 of the file's bytes.
sqlxrow() {
	_sum=$(sha384sum "$3" | cut -d' ' -f1)
	echo "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, '$2', $4, $(pick "X'$_sum'" "decode('$_sum', 'hex')"), 1000)"
}

# A set of three in each layout; the database holds what the tool applied
# of it (the first two) and its table.
adoptset() {
	d=$tmp/$B/adopt-$1
	rm -rf "$d"
	case $1 in
	refinery)
		mig "$d" V1__a.sql "CREATE TABLE a (x INTEGER);\n"
		mig "$d" U2__b.sql "CREATE TABLE b (x INTEGER);\n"
		mig "$d" V3__c.sql "CREATE TABLE c (x INTEGER);\n" ;;
	flyway)
		mig "$d" V1__a.sql "CREATE TABLE a (x INTEGER);\n"
		mig "$d" V2__b.sql "CREATE TABLE b (x INTEGER);\n-- Flyway's checksum ignores line endings\n"
		mig "$d" U2__b.sql "DROP TABLE b;\n"
		mig "$d" V3__c.sql "CREATE TABLE c (x INTEGER);\n"
		mig "$d" R__views.sql "DROP VIEW IF EXISTS va;\nCREATE VIEW va AS SELECT x FROM a;\n"
		mig "$d" R__stale.sql "CREATE TABLE IF NOT EXISTS stale_runs (x INTEGER);\nINSERT INTO stale_runs VALUES (1);\n" ;;
	goose)
		mig "$d" 00001_a.sql "-- +goose Up\nCREATE TABLE a (x INTEGER);\n-- +goose Down\nDROP TABLE a;\n"
		mig "$d" 00002_b.sql "-- +goose Up\nCREATE TABLE b (x INTEGER);\n-- +goose Down\nDROP TABLE b;\n"
		mig "$d" 00003_c.sql "-- +goose Up\nCREATE TABLE c (x INTEGER);\n-- +goose Down\nDROP TABLE c;\n" ;;
	*)
		mig "$d" 1_a.up.sql "CREATE TABLE a (x INTEGER);\n"
		mig "$d" 1_a.down.sql "DROP TABLE a;\n"
		mig "$d" 2_b.up.sql "CREATE TABLE b (x INTEGER);\n"
		mig "$d" 3_c.up.sql "CREATE TABLE c (x INTEGER);\n" ;;
	esac
	db=$(newdb "adopt-$1")
	q "$db" "$(toolddl "$1")" >/dev/null && q "$db" "CREATE TABLE a (x INTEGER)" >/dev/null &&
		q "$db" "CREATE TABLE b (x INTEGER)" >/dev/null
	run="build/migc --layout $1 --dir $d --database $db"
}

# adopted DB: the versions migc recorded and where from.
adopted() {
	q "$1" "SELECT version || ':' || coalesce(done_checksum, '') FROM migc_migrations ORDER BY version" | tr '\n' ' '
}

# recorded WANT: migc recorded exactly WANT in $db (as adopted prints it).
recorded() {
	[ "$(adopted "$db")" = "$1" ] || { echo "recorded: $(adopted "$db"), not $1"; return 1; }
}

# refused CODE TEXT TOOL: adopt --from TOOL fails with CODE and TEXT, and
# leaves migc's table empty and the tool's table as it was.
refused() {
	_before=$(dump "$db")
	expect "$1" "$2" $run adopt --from "$3" || return 1
	[ "$(dump "$db")" = "$_before" ] || { echo "a refused adopt changed the database"; return 1; }
}

t_adopt_goose() {
	adoptset goose
	# goose's first row is version 0; 2 was applied, rolled back and applied
	# again; 3 was applied and rolled back (an older goose's rows).
	q "$db" "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, $(pick 1 true)), (1, $(pick 1 true)),
		(2, $(pick 1 true)), (2, $(pick 0 false)), (2, $(pick 1 true)), (3, $(pick 1 true)), (3, $(pick 0 false))" >/dev/null || return 1
	expect 0 "would adopt 00002_b (applied by goose)" $run adopt --from goose --dry-run || return 1
	grep -q 00003 "$tmp/expect.out" && { echo "a rolled-back version would be adopted"; return 1; }
	expect 0 "adopted 00001_a (applied by goose)" $run adopt --from goose || return 1
	recorded "1:adopted:goose 2:adopted:goose " || return 1
	expect 0 "applied 00003_c" $run up || return 1
	[ "$(q "$db" 'SELECT count(*) FROM goose_db_version')" = 7 ] || { echo "goose's table changed"; return 1; }
	expect 0 "ok: 3 applied migrations match" $run verify
}
check "[$B] adopt --from goose: the newest row of each version counts (rolled back ones are not adopted), version 0 is goose's own; up applies the rest" t_adopt_goose

t_adopt_golang() {
	adoptset golang-migrate
	q "$db" "INSERT INTO schema_migrations (version, dirty) VALUES (2, $(pick 1 true))" >/dev/null || return 1
	refused 3 "golang-migrate left version 2 dirty: a migration failed part way (fix the database by hand, then run migrate force V" golang-migrate || return 1
	refused 2 "the table schema_migrations is not dbmate's: it has a column dirty (golang-migrate's table of that name has: pass --from golang-migrate)" dbmate || return 1
	q "$db" "UPDATE schema_migrations SET dirty = $(pick 0 false)" >/dev/null || return 1
	expect 0 "adopted 2_b (applied by golang-migrate)" $run adopt --from golang-migrate || return 1
	recorded "1:adopted:golang-migrate 2:adopted:golang-migrate " || return 1
	expect 0 "1 pending" $run status || return 1
	expect 0 "applied 3_c" $run up || return 1
	[ "$(q "$db" 'SELECT version FROM schema_migrations')" = 2 ] || { echo "golang-migrate's table changed"; return 1; }
}
check "[$B] adopt --from golang-migrate: a dirty version is refused (exit 3, naming migrate force); a clean one adopts every version up to it" t_adopt_golang

t_adopt_sqlx() {
	adoptset sqlx
	q "$db" "$(sqlxrow 1 a "$d/1_a.up.sql" "$(pick 1 true)"); $(sqlxrow 2 b "$d/2_b.up.sql" "$(pick 0 false)")" >/dev/null || return 1
	refused 3 "sqlx recorded version 2 as failed (success = false): it ran part way" sqlx || return 1
	q "$db" "DELETE FROM _sqlx_migrations WHERE version = 2; $(sqlxrow 2 b "$d/2_b.up.sql" "$(pick 1 true)")" >/dev/null || return 1
	printf 'CREATE TABLE b (x INTEGER, y INTEGER);\n' >"$d/2_b.up.sql"
	refused 3 "2_b.up.sql was edited after sqlx applied it: sqlx recorded the SHA-384" sqlx || return 1
	printf 'CREATE TABLE b (x INTEGER);\n' >"$d/2_b.up.sql"
	expect 0 "adopted 2_b (applied by sqlx)" $run adopt --from sqlx || return 1
	expect 0 "applied 3_c" $run up || return 1
	expect 0 "ok: 3 applied migrations match" $run verify
}
check "[$B] adopt --from sqlx: success = false and a file whose SHA-384 differs from sqlx's are refused (exit 3); then adopted" t_adopt_sqlx

t_adopt_refusals() {
	adoptset golang-migrate
	q "$db" "INSERT INTO schema_migrations (version, dirty) VALUES (7, $(pick 0 false))" >/dev/null || return 1
	refused 3 "golang-migrate applied version 7, which this binary's set does not have" golang-migrate || return 1
	refused 2 "there is no table goose_db_version here, where goose keeps what it applied (pass --from-table NAME" goose || return 1
	refused 2 "adopt: 'flyway2' is not a tool migc adopts from" flyway2 || return 1
	_before=$(dump "$db")
	expect 2 "adopt: 'x; DROP TABLE a' is not a table name" $run adopt --from golang-migrate --from-table 'x; DROP TABLE a' || return 1
	expect 2 "--from and --from-table are for adopt only" $run up --from goose || return 1
	expect 2 "adopt needs --from TOOL" $run adopt || return 1
	[ "$(dump "$db")" = "$_before" ] || { echo "a refused adopt changed the database"; return 1; }
	# The tool's table under another name, and the embedded binary (what a
	# FROM scratch container runs).
	q "$db" "ALTER TABLE schema_migrations RENAME TO old_versions; UPDATE old_versions SET version = 2" >/dev/null || return 1
	embed adopt "$d" --layout golang-migrate || return 1
	expect 0 "adopted 2_b (applied by golang-migrate)" "$tmp/adopt" adopt --from golang-migrate --from-table old_versions --database "$db" || return 1
	grep -q "so old_versions is in the schema migc records and compares: pass --ignore-table with its name in every run" "$tmp/expect.out" ||
		{ echo "adopt does not say to leave old_versions out of the schema"; return 1; }
	# SQLite's embedded fingerprints leave it out already; with
	# --ignore-table from the adopt on, PostgreSQL's record does too.
	[ "$B" = sqlite ] || q "$db" "DELETE FROM migc_migrations" >/dev/null || return 1
	[ "$B" = sqlite ] || expect 0 "adopted 2_b" "$tmp/adopt" adopt --from golang-migrate --from-table old_versions --ignore-table old_versions --database "$db" || return 1
	expect 0 "schema: matches" "$tmp/adopt" verify --schema --ignore-table old_versions --database "$db"
}
check "[$B] adopt refuses a version the set lacks (exit 3), a missing table, an unknown tool or a bad table name (exit 2), changing nothing; --from-table, from the embedded binary" t_adopt_refusals

# Another tool's table, recording something applied, and nothing recorded
# by migc: status says so, up and verify refuse (exit 3) naming adopt,
# changing nothing; a table that only has a tool's name is left alone with
# --ignore-table; a tool's table that records nothing applied is no reason
# to refuse.
t_adopt_othertool() {
	adoptset goose
	q "$db" "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, $(pick 1 true)), (1, $(pick 1 true))" >/dev/null || return 1
	_before=$(dump "$db")
	expect 0 "note: this database holds goose's tracking table goose_db_version, and migc has recorded nothing here: run adopt --from goose" $run status || return 1
	expect 0 '"other_tool":{"tool":"goose","table":"goose_db_version"}' $run status --json || return 1
	expect 3 "this database holds goose's tracking table goose_db_version, and migc has recorded nothing here: up would run every migration again; record what goose applied with adopt --from goose first" $run up || return 1
	expect 3 "record what goose applied with adopt --from goose first" $run up --dry-run || return 1
	expect 3 "record what goose applied with adopt --from goose first" $run verify || return 1
	[ "$(dump "$db")" = "$_before" ] || { echo "a refused up changed the database"; return 1; }
	# A schema_migrations of another framework's (Rails has one): named as
	# dbmate's, which it looks like; --ignore-table lets up run.
	db=$(newdb adopt-rails)
	q "$db" "CREATE TABLE schema_migrations (version varchar(255) PRIMARY KEY)" >/dev/null &&
		q "$db" "INSERT INTO schema_migrations VALUES ('20230101000000')" >/dev/null || return 1
	run="build/migc --layout goose --dir $d --database $db"
	expect 3 "this database holds dbmate's tracking table schema_migrations" $run up || return 1
	expect 2 "tables to ignore (migc_set_ignore_tables): 'schema migrations' is not a list" $run up --ignore-table 'schema migrations' || return 1
	expect 0 "applied 00003_c" $run up --ignore-table 'schema_*,other' || return 1
	# goose's table as goose leaves it before its first migration (the row
	# of version 0 only) records nothing applied: up runs.
	db=$(newdb adopt-goose-fresh)
	q "$db" "$(toolddl goose)" >/dev/null && q "$db" "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, $(pick 1 true))" >/dev/null || return 1
	run="build/migc --layout goose --dir $d --database $db"
	expect 0 "" $run status || return 1
	grep -q "note:" "$tmp/expect.out" && { echo "status names an empty goose table"; return 1; }
	expect 0 "applied 00003_c" $run up
}
check "[$B] another tool's table and nothing of migc's: status says so, up and verify refuse (exit 3) naming adopt; --ignore-table; an empty one is no reason" t_adopt_othertool

# verify --schema on an adopted database: the tool's table stays, and the
# schema check leaves it out, as the embedded replay fingerprints do; a
# table of the application's own is left out with --ignore-table.
t_adopt_schema() {
	adoptset golang-migrate
	q "$db" "INSERT INTO schema_migrations (version, dirty) VALUES (2, $(pick 0 false))" >/dev/null || return 1
	embed adoptschema "$d" --layout golang-migrate || return 1
	expect 0 "adopted 2_b" "$tmp/adoptschema" adopt --from golang-migrate --database "$db" || return 1
	expect 0 "applied 3_c" "$tmp/adoptschema" up --database "$db" || return 1
	expect 0 "schema: matches" "$tmp/adoptschema" verify --schema --database "$db" || return 1
	q "$db" "CREATE TABLE audit_log (x INTEGER)" >/dev/null || return 1
	expect 3 "audit_log" "$tmp/adoptschema" verify --schema --database "$db" || return 1
	expect 0 "schema: matches" "$tmp/adoptschema" verify --schema --ignore-table 'audit_*' --database "$db"
}
check "[$B] verify --schema on an adopted database leaves the tool's table out (the embedded fingerprints match); --ignore-table for others" t_adopt_schema

t_adopt_flyway() {
	adoptset flyway
	# V2's checksum as Flyway took it from a CRLF checkout of the file.
	sed 's/$/\r/' "$d/V2__b.sql" >"$tmp/V2__b.crlf"
	s1=$(flywaysum "$d/V1__a.sql") s2=$(flywaysum "$tmp/V2__b.crlf") s3=$(flywaysum "$d/V3__c.sql")
	# Flyway's schema row; 1 and 2 applied; 3 applied and undone; two
	# repeatable migrations (no version): R__views as its file is now (run
	# twice: the newest row says), R__stale as it was before an edit.
	sv=$(flywaysum "$d/R__views.sql")
	q "$db" "$(flywayrow 1 "'0'" SCHEMA '"public"' NULL 1); $(flywayrow 2 "'1'" SQL V1__a.sql "$s1" 1);
		$(flywayrow 3 "'2'" SQL V2__b.sql "$s2" 1); $(flywayrow 4 "'3'" SQL V3__c.sql "$s3" 1);
		$(flywayrow 5 "'3'" UNDO_SQL U3__c.sql NULL 1); $(flywayrow 6 NULL SQL R__views.sql 12345 1);
		$(flywayrow 7 NULL SQL R__views.sql "$sv" 1); $(flywayrow 8 NULL SQL R__stale.sql 12345 1);
		CREATE VIEW va AS SELECT x FROM a" >/dev/null || return 1
	q "$db" "UPDATE flyway_schema_history SET checksum = $((s2 + 1)) WHERE installed_rank = 3" >/dev/null || return 1
	refused 3 "V2__b.sql was edited after Flyway applied it: Flyway recorded the checksum $((s2 + 1)), the file's is $s2" flyway || return 1
	q "$db" "UPDATE flyway_schema_history SET checksum = $s2, success = $(pick 0 false) WHERE installed_rank = 3" >/dev/null || return 1
	refused 3 "Flyway recorded version 2 (V2__b.sql) as failed (success = false): it ran part way (fix the database by hand, then run flyway repair" flyway || return 1
	q "$db" "UPDATE flyway_schema_history SET success = $(pick 1 true) WHERE installed_rank = 3" >/dev/null || return 1
	expect 0 "adopted V2__b (applied by flyway)" $run adopt --from flyway || return 1
	grep -q "adopted R__views (applied by flyway)" "$tmp/expect.out" || { echo "the repeatable one Flyway ran as it is was not adopted"; return 1; }
	! grep -q "R__stale" "$tmp/expect.out" || { echo "an edited repeatable one was adopted"; return 1; }
	recorded "1:adopted:flyway 2:adopted:flyway " || return 1
	expect 0 "applied V3__c" $run up || return 1
	grep -q "applied R__stale" "$tmp/expect.out" && ! grep -q "applied R__views" "$tmp/expect.out" ||
		{ echo "up did not run the edited repeatable one alone"; return 1; }
	# A BASELINE row stands for every version up to it.
	db=$(newdb adopt-flyway-baseline)
	q "$db" "$(toolddl flyway)" >/dev/null && q "$db" "$(flywayrow 1 "'2'" BASELINE '<< Flyway Baseline >>' NULL 1)" >/dev/null || return 1
	run="build/migc --layout flyway --dir $d --database $db"
	expect 0 "adopted V2__b (applied by flyway)" $run adopt --from flyway || return 1
	recorded "1:adopted:flyway 2:adopted:flyway " || return 1
}
check "[$B] adopt --from flyway: the newest row of a version counts (UNDO_SQL undoes), BASELINE covers what is below it, CRC-32 checksums compared, a failed row refused" t_adopt_flyway

# Flyway's dotted versions (--layout flyway-dotted): each file's version
# maps to MAJOR * 1000000 + MINOR * 1000 + PATCH, in Flyway's order (1.2
# before 1.10); adopt finds Flyway's rows ("1.2" for V1_2__) by the
# version in each file's name.
t_adopt_flyway_dotted() {
	d=$tmp/$B/adopt-flyway-dotted
	rm -rf "$d"
	mig "$d" V1__a.sql "CREATE TABLE a (x INTEGER);\n"
	mig "$d" V1.1__b.sql "CREATE TABLE b (x INTEGER);\n"
	mig "$d" U1.1__b.sql "DROP TABLE b;\n"
	mig "$d" V1_2__c.sql "CREATE TABLE c (x INTEGER);\n"
	mig "$d" V1.10__d.sql "CREATE TABLE d (x INTEGER);\n"
	mig "$d" V2__e.sql "CREATE TABLE e (x INTEGER);\n"
	db=$(newdb adopt-flyway-dotted)
	q "$db" "$(toolddl flyway); CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER); CREATE TABLE c (x INTEGER)" >/dev/null || return 1
	q "$db" "$(flywayrow 1 "'1'" SQL V1__a.sql "$(flywaysum "$d/V1__a.sql")" 1);
		$(flywayrow 2 "'1.1'" SQL V1.1__b.sql "$(flywaysum "$d/V1.1__b.sql")" 1);
		$(flywayrow 3 "'1.2'" SQL V1_2__c.sql "$(flywaysum "$d/V1_2__c.sql")" 1)" >/dev/null || return 1
	run="build/migc --layout flyway-dotted --dir $d --database $db"
	expect 2 "--layout flyway-dotted maps dotted ones" build/migc --layout flyway --dir "$d" --database "$db" status || return 1
	expect 0 "adopted V1_2__c (applied by flyway)" $run adopt --from flyway || return 1
	recorded "1000000:adopted:flyway 1001000:adopted:flyway 1002000:adopted:flyway " || return 1
	expect 0 "applied V2__e" $run up || return 1
	grep -A1 "applied V1.10__d" "$tmp/expect.out" | grep -q "applied V2__e" || { echo "not in Flyway's order"; return 1; }
	[ "$(versions "$db")" = 1000000,1001000,1002000,1010000,2000000 ] || { echo "recorded: $(versions "$db")"; return 1; }
	expect 0 "ok: 5 applied migrations match" $run verify || return 1
	# A BASELINE row at 1.1 stands for 1 and 1.1; a version the set lacks is refused.
	db=$(newdb adopt-flyway-dotted-baseline)
	q "$db" "$(toolddl flyway)" >/dev/null && q "$db" "$(flywayrow 1 "'1.1'" BASELINE '<< Flyway Baseline >>' NULL 1)" >/dev/null || return 1
	run="build/migc --layout flyway-dotted --dir $d --database $db"
	expect 0 "adopted V1.1__b (applied by flyway)" $run adopt --from flyway || return 1
	recorded "1000000:adopted:flyway 1001000:adopted:flyway " || return 1
	db=$(newdb adopt-flyway-dotted-ahead)
	q "$db" "$(toolddl flyway)" >/dev/null && q "$db" "$(flywayrow 1 "'1.5'" SQL V1.5__x.sql 0 1)" >/dev/null || return 1
	run="build/migc --layout flyway-dotted --dir $d --database $db"
	refused 3 "flyway applied version 1.5, which this binary's set does not have" flyway
}
check "[$B] adopt --from flyway with dotted versions (--layout flyway-dotted): Flyway's order, rows found by each file's version, BASELINE, unknown versions" t_adopt_flyway_dotted

# refinery's checksums of V1__a.sql and U2__b.sql above, as refinery
# 0.8 computes them (SipHasher13 over name, version and SQL), computed
# once with Rust's own SipHasher13.
t_adopt_refinery() {
	adoptset refinery
	q "$db" "INSERT INTO refinery_schema_history VALUES (1, 'a', '2024-01-31T12:00:00+00:00', '17740655534143156516'),
		(2, 'b', '2024-01-31T12:00:01+00:00', '12240456265087915913')" >/dev/null || return 1
	refused 3 "U2__b.sql was edited after refinery applied it: refinery recorded the checksum 12240456265087915913, the file's is 12240456265087915912" refinery || return 1
	q "$db" "UPDATE refinery_schema_history SET checksum = '12240456265087915912' WHERE version = 2" >/dev/null || return 1
	expect 0 "adopted U2__b (applied by refinery)" $run adopt --from refinery || return 1
	expect 0 "applied V3__c" $run up || return 1
	expect 0 "ok: 3 applied migrations match" $run verify
}
check "[$B] adopt --from refinery: its SipHash-1-3 checksums compared (a mismatch refused, exit 3), U files numbered as V ones" t_adopt_refinery

# What is not another tool's table is no reason to refuse: migc's own
# tracking table under a tool's name (--table), a table of that name
# without the tool's columns, or one migc may not read (PostgreSQL: a
# table of another role, another column type), and a read-only run reads
# another tool's table in a read-only transaction. Found by a review.
t_adopt_notatool() {
	adoptset goose
	db=$(newdb adopt-own-name)
	run="build/migc --layout goose --dir $d --database $db"
	expect 0 "applied 00003_c" $run up --table gorp_migrations || return 1
	expect 0 "reverted 00001_a" $run down --to 0 --table gorp_migrations || return 1
	expect 0 "applied 00003_c" $run up --table gorp_migrations || return 1
	db=$(newdb adopt-other-shape)
	run="build/migc --layout goose --dir $d --database $db"
	q "$db" "CREATE TABLE schema_migrations (id INTEGER, filename TEXT); INSERT INTO schema_migrations VALUES (1, 'x')" >/dev/null || return 1
	expect 0 "applied 00003_c" $run up || return 1
	expect 2 "adopt: 'a.b.goose_db_version' is not a table name migc reads" $run adopt --from goose --from-table a.b.goose_db_version || return 1
	[ "$B" = postgres ] || return 0
	db=$(newdb adopt-other-types)
	run="build/migc --layout goose --dir $d --database $db"
	q "$db" "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint, is_applied int); INSERT INTO goose_db_version (version_id, is_applied) VALUES (1, 1)" >/dev/null || return 1
	expect 0 "0 applied, 3 pending" $run status || return 1
	expect 0 "applied 00003_c" $run up || return 1
	# A view named like dbmate's table that writes when read: status and
	# up --dry-run read it without writing.
	db=$(newdb adopt-writing-view)
	run="build/migc --layout goose --dir $d --database $db"
	q "$db" "CREATE TABLE hits (n int); CREATE FUNCTION hit() RETURNS text LANGUAGE plpgsql AS \$\$BEGIN INSERT INTO hits VALUES (1); RETURN '1'; END\$\$;
		CREATE VIEW gorp_migrations AS SELECT hit() AS id" >/dev/null || return 1
	$run status >/dev/null 2>&1
	$run up --dry-run >/dev/null 2>&1
	[ "$(q "$db" 'SELECT count(*) FROM hits')" = 0 ] || { echo "a read-only run wrote through another tool's table"; return 1; }
}
check "[$B] not another tool's table: migc's own under a tool's name, another shape or type, unreadable; read-only runs read it read-only" t_adopt_notatool
