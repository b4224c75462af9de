-- +goose Up
CREATE TABLE u (x TEXT);
-- +goose--Down
DROP TABLE u;
