-- migc:lock-timeout 2s
CREATE INDEX users_name ON users (name);
