-- migc:lock-timeout 2s
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
