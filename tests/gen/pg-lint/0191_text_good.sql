-- migc:lock-timeout 2s
CREATE TABLE memos (id bigint PRIMARY KEY, body text CHECK (length(body) <= 200));
