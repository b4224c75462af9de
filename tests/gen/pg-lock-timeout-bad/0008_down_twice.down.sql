-- migc:lock-timeout 1s
-- migc:lock-timeout off
SELECT 1;
