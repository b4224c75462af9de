-- migc:lock-timeout 2s
CREATE TABLE boxes (id bigint PRIMARY KEY, w int, h int, area int GENERATED ALWAYS AS (w * h) STORED);
