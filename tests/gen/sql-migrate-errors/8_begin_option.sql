-- +migrate Up
-- +migrate StatementBegin notransaction
CREATE TABLE a (x);
-- +migrate StatementEnd
