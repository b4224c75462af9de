-- +migrate Up
CREATE TABLE t (x);
