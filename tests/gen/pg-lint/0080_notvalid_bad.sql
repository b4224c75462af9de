-- migc:lock-timeout 2s
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);
