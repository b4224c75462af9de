-- +goose NO TRANSACTION
-- +GOOSE UP
CREATE TABLE b (x INTEGER);
CREATE INDEX b_x ON b (x);
--   +goose   down
DROP TABLE b;
