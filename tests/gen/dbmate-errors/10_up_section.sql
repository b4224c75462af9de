-- migrate:up
-- migrate:up-section
CREATE TABLE a (x);
-- migrate:down
