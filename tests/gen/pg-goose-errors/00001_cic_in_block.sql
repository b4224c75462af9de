-- +goose Up
-- +goose StatementBegin
SELECT 1;
CREATE INDEX CONCURRENTLY t_x ON t (x);
-- +goose StatementEnd
