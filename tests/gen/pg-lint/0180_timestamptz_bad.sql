-- migc:lock-timeout 2s
CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL);
