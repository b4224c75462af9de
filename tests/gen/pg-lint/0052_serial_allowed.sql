-- migc:allow adding-serial-primary-key-field
-- migc:lock-timeout 2s
ALTER TABLE spare ADD COLUMN seq bigserial;
