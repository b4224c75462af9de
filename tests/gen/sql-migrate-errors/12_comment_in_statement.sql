-- +migrate Up
CREATE TABLE t (
-- the x
x INTEGER);
