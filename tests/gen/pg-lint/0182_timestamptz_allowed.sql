-- migc:allow prefer-timestamptz
-- migc:lock-timeout 2s
CREATE TABLE alarms (id bigint PRIMARY KEY, at timestamp(3) without time zone);
