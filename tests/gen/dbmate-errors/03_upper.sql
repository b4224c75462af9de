-- migrate:UP
CREATE TABLE a (x);
-- migrate:down
