-- +migrate Up no-transaction
CREATE TABLE a (x);
