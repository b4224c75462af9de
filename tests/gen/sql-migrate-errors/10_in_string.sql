-- +migrate Up
INSERT INTO t VALUES ('
-- +migrate Down
');
