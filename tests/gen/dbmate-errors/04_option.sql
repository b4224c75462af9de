-- migrate:up transacton:false
CREATE TABLE a (x);
-- migrate:down
