-- +migrate Up notransaction
CREATE TABLE notx (x INTEGER);
-- +migrate Down
DROP TABLE notx;
