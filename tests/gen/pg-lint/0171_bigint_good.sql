-- migc:lock-timeout 2s
CREATE TABLE meters (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n integer);
