-- +goose Up
-- +goose StatementBegin
SELECT 1;
