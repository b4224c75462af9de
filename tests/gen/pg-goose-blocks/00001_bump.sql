-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RETURN a + 1;
END;
$$;
SELECT bump(1);
-- +goose StatementEnd
CREATE TABLE t (x integer);
-- +goose Down
-- +goose StatementBegin
DROP TABLE t;
DROP FUNCTION bump(integer);
-- +goose StatementEnd
