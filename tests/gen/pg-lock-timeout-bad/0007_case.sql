-- migc:lock-timeout OFF
SELECT 1;
