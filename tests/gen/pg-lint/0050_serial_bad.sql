-- migc:lock-timeout 2s
ALTER TABLE logs ADD COLUMN seq bigserial;
ALTER TABLE logs ADD COLUMN seq4 serial4;
