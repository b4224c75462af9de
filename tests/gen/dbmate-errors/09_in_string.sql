-- migrate:up
INSERT INTO t VALUES ('
-- migrate:down
');
