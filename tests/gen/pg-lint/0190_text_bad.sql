-- migc:lock-timeout 2s
CREATE TABLE notes (id bigint PRIMARY KEY, body varchar(200));
