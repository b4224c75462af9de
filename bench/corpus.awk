# bench/corpus.awk: write the benchmark's migration corpus, n files
# 00001_table_00001.sql ... into dir. Migration i creates a table, an index
# on it and inserts three rows of ~1.6 KB text each (~5 KB a file, so 10,000
# migrations are ~50 MB). The SQL is valid for SQLite and PostgreSQL alike.
# The text comes from a fixed LCG, not awk's rand(), so that every awk
# writes the same bytes.
#
# With -v downs=1, each migration also gets its down file, which drops the
# table (and so its index): what gen's round trip runs.
#
# usage: awk -v n=N -v dir=DIR [-v downs=1] -f bench/corpus.awk

BEGIN {
	nw = split("alpha bravo charlie delta echo foxtrot golf hotel india " \
	           "juliett kilo lima mike november oscar papa quebec romeo " \
	           "sierra tango uniform victor whiskey xray yankee zulu " \
	           "migration schema index table column row value it''s", w, " ")
	x = 1
	for (i = 1; i <= n; i++)
		migration(i)
}

# next word: a 32-bit LCG, exact in a double (69069 * 2^32 < 2^53).
function word() {
	x = (x * 69069 + 1) % 4294967296
	return w[int(x / 65536) % nw + 1]
}

# text(len): words wrapped at 72 columns, as a quoted SQL string.
function text(len,    s, line, ww) {
	s = ""
	line = ""
	while (length(s) + length(line) < len) {
		ww = word()
		if (length(line) + length(ww) >= 72) {
			s = s line "\n"
			line = ""
		}
		line = line (line == "" ? "" : " ") ww
	}
	return "'" s line "'"
}

function migration(i,    id, f, r) {
	id = sprintf("%05d", i)
	f = dir "/" id "_table_" id ".sql"
	print "-- Migration " i ": a table, an index on it and three rows." > f
	print "CREATE TABLE t" id " (" > f
	print "\tid    INTEGER PRIMARY KEY," > f
	print "\tname  TEXT NOT NULL," > f
	print "\tbody  TEXT NOT NULL" > f
	print ");" > f
	print "CREATE INDEX t" id "_name ON t" id " (name);" > f
	for (r = 1; r <= 3; r++)
		print "INSERT INTO t" id " (id, name, body) VALUES (" r ", 'row " r \
		      " of " id "',\n" text(1580) ");" > f
	close(f)
	if (downs) {
		f = dir "/" id "_table_" id ".down.sql"
		print "DROP TABLE t" id ";" > f
		close(f)
	}
}
