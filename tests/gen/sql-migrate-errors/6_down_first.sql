-- +migrate Down
DROP TABLE a;
-- +migrate Up
CREATE TABLE a (x);
