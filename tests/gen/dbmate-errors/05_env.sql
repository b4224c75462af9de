-- migrate:up env:OWNER
CREATE TABLE a (x);
-- migrate:down
