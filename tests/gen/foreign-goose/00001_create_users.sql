-- +Goose Up
-- +goose StatementBegin
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
-- +goose StatementEnd

-- +GOOSE DOWN
DROP TABLE users;
