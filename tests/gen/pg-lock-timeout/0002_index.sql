-- migc:no-transaction
--   migc:lock-timeout	2s  
CREATE INDEX CONCURRENTLY t_y ON t (y);
