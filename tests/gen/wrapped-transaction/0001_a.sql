-- An existing migration wrapped in its own transaction.
BEGIN;
CREATE TABLE a (x);
INSERT INTO a VALUES (1);
COMMIT;
