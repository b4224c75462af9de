-- -- +goose Up
CREATE TABLE v (x TEXT);
-- -- +goose down
DROP TABLE v;
