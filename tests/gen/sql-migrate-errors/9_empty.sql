-- +migrate
CREATE TABLE a (x);
