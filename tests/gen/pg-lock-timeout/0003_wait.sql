-- migc:lock-timeout off
ALTER TABLE t ADD COLUMN z integer;
