-- golang-migrate sends a file as one string outside a transaction block:
-- alone in its file, this runs as it must.
CREATE INDEX CONCURRENTLY t_email ON t (email);
