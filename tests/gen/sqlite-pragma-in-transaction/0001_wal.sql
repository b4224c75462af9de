CREATE TABLE t (x);
-- Reading a setting, and settings a transaction keeps, are fine.
PRAGMA journal_mode;
PRAGMA user_version = 3;
PRAGMA application_id = 7;
-- Persistent settings a transaction silently ignores are not.
PRAGMA journal_mode = WAL;
pragma main.journal_mode='delete';
PRAGMA page_size = 8192;
PRAGMA auto_vacuum = FULL;
PRAGMA "auto_vacuum"(2);
PRAGMA encoding = 'UTF-16le';
PRAGMA foreign_keys = OFF;
