-- migrate:up
CREATE TABLE t (id bigint PRIMARY KEY, email text);
-- migrate:down
DROP TABLE t;
