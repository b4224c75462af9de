-- 2_stamp.sql: keep a change time.
-- +migrate Up notransaction
-- +migrate StatementBegin
CREATE TRIGGER people_stamp AFTER INSERT ON people BEGIN SELECT 1; END;
-- +migrate StatementEnd
