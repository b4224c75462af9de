-- migc:no-transaction
ATTACH ':memory:' AS mig;
PRAGMA query_only = ON;
