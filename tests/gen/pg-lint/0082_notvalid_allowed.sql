-- migc:allow constraint-missing-not-valid
-- migc:lock-timeout 2s
ALTER TABLE orders ADD CONSTRAINT orders_id_positive CHECK (id > 0);
