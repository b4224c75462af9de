-- migc:no-transaction
-- migc:allow sqlite-pragma-leak
PRAGMA user_version = 7;
