-- A BOM must not hide the directive.
-- migc:no-transaction
CREATE TABLE p (id INTEGER PRIMARY KEY);
VACUUM;
