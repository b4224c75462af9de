-- migc:lock-timeout 2s
CREATE TABLE staging (id bigint PRIMARY KEY);
ALTER TABLE staging RENAME TO staged;
