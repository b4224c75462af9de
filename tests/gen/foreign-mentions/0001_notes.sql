-- Moved here from goose: the -- +goose Up and -- migrate:up lines are gone.
-- goose, dbmate and sql-migrate files are refused; this one is migc's own.
-- +migrate is not a marker unless Up, Down, StatementBegin or StatementEnd follows.
-- migrate:upgrade is not dbmate's either.
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
INSERT INTO notes (body) VALUES ('-- +goose Down'), ('-- migrate:down'), ('+goose up');
