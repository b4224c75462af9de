-- migc:no-transaction
PRAGMA journal_mode = WAL;
CREATE TABLE t (x);
PRAGMA auto_vacuum = INCREMENTAL;
VACUUM;
