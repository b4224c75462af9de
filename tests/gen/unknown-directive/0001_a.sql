-- migc:no-transactions
CREATE TABLE a (x);
