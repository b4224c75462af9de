-- migc:lock-timeout 2s
CREATE TABLE prices (id bigint PRIMARY KEY, amount integer);
ALTER TABLE prices ALTER COLUMN amount TYPE bigint;
