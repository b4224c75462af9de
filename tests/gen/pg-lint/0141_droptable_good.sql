-- migc:lock-timeout 2s
CREATE TABLE scratch (id bigint PRIMARY KEY);
DROP TABLE scratch;
