CREATE TABLE early (x INTEGER);
-- +goose Up
SELECT 1;
