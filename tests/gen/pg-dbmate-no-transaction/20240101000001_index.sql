-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY t_email ON t (email);
-- migrate:down transaction:false
DROP INDEX CONCURRENTLY t_email;
