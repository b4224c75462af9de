-- migc:lock-timeout off
ALTER TABLE orders ADD COLUMN paid bool;
