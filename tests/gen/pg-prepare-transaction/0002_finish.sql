COMMIT PREPARED 'migc-1';
prepare transaction 'again';
-- A prepared statement is not a transaction.
PREPARE q (int) AS SELECT $1;
