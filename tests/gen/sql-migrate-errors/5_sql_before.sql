CREATE TABLE z (x);
-- +migrate Up
CREATE TABLE a (x);
