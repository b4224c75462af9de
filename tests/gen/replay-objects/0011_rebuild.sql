-- migc:irreversible the table rebuild loses the old definition
CREATE TABLE a_new (id INTEGER PRIMARY KEY, x2 TEXT NOT NULL DEFAULT '');
INSERT INTO a_new SELECT id, coalesce(x2, '') FROM a2;
DROP TABLE a2;
ALTER TABLE a_new RENAME TO a2;
CREATE INDEX a2_x2 ON a2 (x2);
