-- migc:lock-timeout 1.5s
SELECT 1;
