CREATE TABLE z (x);
-- migrate:up
CREATE TABLE a (x);
-- migrate:down
