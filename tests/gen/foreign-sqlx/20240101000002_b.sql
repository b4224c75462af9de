
-- no-transaction (not the first bytes: sqlx too runs this in a transaction)
CREATE TABLE b (x INTEGER);
