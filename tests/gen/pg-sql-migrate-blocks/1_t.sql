-- +migrate Up
CREATE TABLE t (id bigint PRIMARY KEY, email text);
-- +migrate StatementBegin
CREATE FUNCTION t_lower() RETURNS trigger AS $$
BEGIN
  NEW.email := lower(NEW.email);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +migrate StatementEnd
-- +migrate Down
DROP FUNCTION t_lower();
DROP TABLE t;
