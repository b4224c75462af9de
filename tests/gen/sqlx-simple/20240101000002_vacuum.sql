-- no-transaction
CREATE TABLE notx (x INTEGER);
VACUUM;
