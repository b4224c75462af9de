-- +migrate Up
CREATE TABLE t (x);
/* x;
CREATE TABLE evil (y); --*/
