-- +goose Up
SELECT 1;
-- +GOOSE DOWN
SELECT 2;
