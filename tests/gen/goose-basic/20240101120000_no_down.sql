-- +goose Up
CREATE TABLE c (x INTEGER);
