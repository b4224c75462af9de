CREATE TABLE a (x int) \restrict abc
;
