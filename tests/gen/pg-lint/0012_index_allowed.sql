-- migc:allow require-concurrent-index-creation
-- migc:lock-timeout 2s
CREATE INDEX users_born ON users (born);
