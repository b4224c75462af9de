-- no-transaction
CREATE TABLE d (x);
