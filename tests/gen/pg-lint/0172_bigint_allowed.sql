-- migc:allow prefer-bigint-over-int
-- migc:lock-timeout 2s
CREATE TABLE gauges (id serial, PRIMARY KEY (id));
