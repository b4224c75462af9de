-- +migrate Up
CREATE TABLE h (x);
