-- migc:lock-timeout 500
SELECT 1;
