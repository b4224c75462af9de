-- +migrate Up notransaction
CREATE INDEX CONCURRENTLY t_email ON t (email);
-- +migrate Down notransaction
DROP INDEX CONCURRENTLY t_email;
