-- migc:no-transaction
PRAGMA optimize;
PRAGMA user_version;
VACUUM;
