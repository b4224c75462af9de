-- migc:lock-timeout 2s
TRUNCATE carts;
