-- migc:lock-timeout 0ms
ALTER TABLE t ADD COLUMN w integer;
