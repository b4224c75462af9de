-- migc:lock-timeout 2s
CREATE TABLE visits (id bigint PRIMARY KEY, at timestamptz, local timestamp with time zone);
