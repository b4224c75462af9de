-- +goose Up
CREATE TABLE e (x);
