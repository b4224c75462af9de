-- migc:lock-timeout
SELECT 1;
