-- migc:no-transaction
VACUUM;
