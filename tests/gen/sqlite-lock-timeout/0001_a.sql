-- migc:lock-timeout 500ms
CREATE TABLE t (x INTEGER);
