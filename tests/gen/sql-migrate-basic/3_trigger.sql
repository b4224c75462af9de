-- +migrate Up
-- +migrate StatementBegin
CREATE TRIGGER users_log AFTER INSERT ON users BEGIN
  INSERT INTO log (msg) VALUES (NEW.name);
END;
-- +migrate StatementEnd
-- +migrate Down
DROP TRIGGER users_log;
