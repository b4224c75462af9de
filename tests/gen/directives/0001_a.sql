-- A BOM must not hide the directive.
-- migc:no-transaction
VACUUM;
