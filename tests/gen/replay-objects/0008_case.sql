-- migc:irreversible the view and trigger are gone
DROP VIEW v;
DROP TRIGGER A_T;
CREATE INDEX "A2_ID" ON a2 (id);
DROP INDEX a2_id;
CREATE VIEW v2 AS SELECT id FROM b;
