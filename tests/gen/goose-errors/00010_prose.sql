-- +goose Up
-- see +goose Down in the docs
SELECT 1;
-- +goose NO  TRANSACTION
