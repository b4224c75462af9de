-- +goose Up
CREATE TABLE d (x INTEGER);
-- +goose Down
