-- migc:lock-timeout 2s
ALTER TABLE users RENAME COLUMN born TO birthday;
