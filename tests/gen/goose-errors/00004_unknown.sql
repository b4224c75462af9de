-- +goose Up
-- +goose Upp
SELECT 1;
-- +goose StatementEnd
