-- no-transaction
CREATE TABLE a (x INTEGER);
