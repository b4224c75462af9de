-- Bounded: the table is busy.
-- migc:lock-timeout 500ms
ALTER TABLE t ADD COLUMN y integer;
