-- migc:lock-timeout 2s
ALTER TABLE users DROP COLUMN luck;
