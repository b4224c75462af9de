-- migc:lock-timeout 2147483648ms
SELECT 1;
