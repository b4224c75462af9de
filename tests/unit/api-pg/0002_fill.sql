-- migc:no-transaction
INSERT INTO t VALUES (1);
INSERT INTO t VALUES (-2);
INSERT INTO t VALUES (3);
