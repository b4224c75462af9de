-- no-transaction
DROP INDEX CONCURRENTLY t_email;
