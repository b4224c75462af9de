-- +migrate Up
CREATE TABLE a (x);
-- +migrate Downgrade
