-- no-transaction
CREATE INDEX CONCURRENTLY t_email ON t (email);
