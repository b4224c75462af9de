-- migc:lock-timeout 500ms later
SELECT 1;
