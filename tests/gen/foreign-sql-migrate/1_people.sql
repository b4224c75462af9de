-- +migrate Up
CREATE TABLE people (id INTEGER PRIMARY KEY);

-- +migrate Down
DROP TABLE people;
