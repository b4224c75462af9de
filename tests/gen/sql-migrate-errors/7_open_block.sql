-- +migrate Up
-- +migrate StatementBegin
CREATE TABLE a (x);
