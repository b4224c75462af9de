-- migrate:up
CREATE TABLE a (x);
/*
--
migrate:down
*/
-- migrate:down
