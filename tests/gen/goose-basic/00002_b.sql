-- +goose NO TRANSACTION
-- +goose up
CREATE TABLE b (x INTEGER);
CREATE INDEX b_x ON b (x);
--   +goose   down
DROP TABLE b;
