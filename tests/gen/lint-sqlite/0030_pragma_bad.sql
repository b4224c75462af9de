-- migc:no-transaction
PRAGMA journal_mode = WAL;
