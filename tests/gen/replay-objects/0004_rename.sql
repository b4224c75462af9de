-- migc:allow sqlite-rename-referenced-table
-- migc:irreversible SQLite rewrites the quoting of every reference on a rename
ALTER TABLE a RENAME TO a2;
