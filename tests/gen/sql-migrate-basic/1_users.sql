-- +migrate Up
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE log (msg TEXT);

-- +migrate Down
DROP TABLE log;
DROP TABLE users;
