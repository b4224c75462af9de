-- +goose Up
CREATE TABLE t (x INTEGER);
-- +goose StatementBegin
INSERT INTO t VALUES (1);
COMMIT;
-- +goose StatementEnd
