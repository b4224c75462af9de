-- Users, as goose wrote them.
-- +goose Up
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
-- +goose StatementBegin
CREATE TRIGGER users_name AFTER INSERT ON users BEGIN
  UPDATE users SET name = upper(name) WHERE id = new.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER users_name;
DROP TABLE users;
