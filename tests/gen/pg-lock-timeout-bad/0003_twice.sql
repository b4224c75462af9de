-- migc:lock-timeout 1s
-- migc:lock-timeout 2s
SELECT 1;
