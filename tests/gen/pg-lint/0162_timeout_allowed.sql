-- migc:allow require-timeout-settings
ALTER TABLE orders ADD COLUMN lost bool;
