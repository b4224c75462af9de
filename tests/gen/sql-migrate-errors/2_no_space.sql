--+migrate Up
CREATE TABLE a (x);
