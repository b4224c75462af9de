-- migc:lock-timeout 1s
SELECT 1;
