-- migrate:up transaction:false
CREATE TABLE a (x int);
CREATE INDEX CONCURRENTLY ai ON a (x);
-- migrate:down
