-- migc:irreversible views are rebuilt
CREATE VIEW v AS SELECT 1;
