-- migc:lock-timeout 2147483647ms
ALTER TABLE t ADD COLUMN u integer;
