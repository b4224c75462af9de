# bench/floorsql.awk: write the floor for applying migrations, one SQL
# script for the database's own shell (sqlite3 or psql): create the
# tracking table as migc does, then each migration file in its own
# transaction with an INSERT of its tracking row, as migc runs it. The
# checksums are fixed strings of the real length: the floor does not hash.
#
# usage: awk -v dialect=sqlite|postgres -f bench/floorsql.awk DIR/*.sql

BEGIN {
	sum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	if (dialect == "sqlite") {
		print "PRAGMA foreign_keys = ON;"
		print "CREATE TABLE IF NOT EXISTS \"migc_migrations\" ( /* migc tracking table, layout 1 */ " \
		      "version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL, " \
		      "raw_checksum TEXT NOT NULL, applied_at TEXT NOT NULL, execution_ms INTEGER NOT NULL, " \
		      "statements_done INTEGER NOT NULL, statements_total INTEGER NOT NULL, error TEXT, " \
		      "done_checksum TEXT, schema_fingerprint TEXT, schema_text TEXT);"
		begin = "BEGIN IMMEDIATE;"
		now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
	} else if (dialect == "postgres") {
		print "\\set ON_ERROR_STOP 1"
		print "CREATE TABLE \"migc_migrations\" (version bigint PRIMARY KEY, name text NOT NULL, " \
		      "checksum text NOT NULL, raw_checksum text NOT NULL, applied_at timestamptz NOT NULL, " \
		      "execution_ms bigint NOT NULL, statements_done integer NOT NULL, " \
		      "statements_total integer NOT NULL, error text, done_checksum text, " \
		      "schema_fingerprint text, schema_text text);"
		print "COMMENT ON TABLE \"migc_migrations\" IS 'migc tracking table, layout 1';"
		begin = "BEGIN;"
		now = "now()"
	} else {
		print "floorsql.awk: dialect must be sqlite or postgres" > "/dev/stderr"
		exit 2
	}
}

FNR == 1 {
	if (NR > 1)
		finish()
	file = FILENAME
	sub(/.*\//, "", file)
	sub(/\.sql$/, "", file)
	version = file
	sub(/_.*/, "", version)
	name = file
	sub(/^[0-9]*_/, "", name)
	nstmts = 0
	print begin
}

{
	print
	if ($0 ~ /;[ \t]*$/)
		nstmts++
}

END {
	if (NR > 0)
		finish()
}

# finish: the tracking row and COMMIT of the migration just printed.
function finish() {
	print "INSERT INTO \"migc_migrations\" (version, name, checksum, raw_checksum, applied_at, " \
	      "execution_ms, statements_done, statements_total, error, done_checksum) VALUES (" \
	      (version + 0) ", '" name "', 'c1:" sum "', 'r1:" sum "', " now ", 0, " \
	      nstmts ", " nstmts ", NULL, NULL);"
	print "COMMIT;"
}
