-- +goose Up
CREATE TABLE s (x TEXT);
INSERT INTO s VALUES ('a
-- +goose NO TRANSACTION
b');
