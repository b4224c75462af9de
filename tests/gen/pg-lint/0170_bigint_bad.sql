-- migc:lock-timeout 2s
CREATE TABLE counters (id integer PRIMARY KEY, n bigint);
