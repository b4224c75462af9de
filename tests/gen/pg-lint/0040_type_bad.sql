-- migc:lock-timeout 2s
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
