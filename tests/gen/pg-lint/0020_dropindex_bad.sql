-- migc:lock-timeout 2s
DROP INDEX users_email;
