CREATE TABLE a (x);
-- migc:no-transaction
CREATE TABLE b (x);
