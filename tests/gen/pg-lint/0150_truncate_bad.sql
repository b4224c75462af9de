-- migc:lock-timeout 2s
TRUNCATE users CASCADE;
