
-- no-transaction
CREATE TABLE c (x);
