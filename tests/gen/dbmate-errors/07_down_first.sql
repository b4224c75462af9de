-- migrate:down
DROP TABLE a;
-- migrate:up
CREATE TABLE a (x);
