-- +goose Up
CREATE TABLE t (x TEXT);
---- +goose Down
DROP TABLE t;
