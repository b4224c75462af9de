-- migc:no-transaction
-- migc:lock-timeout 2s
DROP INDEX CONCURRENTLY orders_user;
