-- migrate:up
CREATE TABLE b (x);
-- migrate:down
DROP TABLE b;
