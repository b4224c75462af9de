-- migc:lock-timeout 1min
ALTER TABLE t DROP COLUMN z;
