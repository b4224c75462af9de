-- A view, replaced whole whenever this file changes.
DROP VIEW IF EXISTS v;
CREATE VIEW v AS SELECT x FROM t;
