-- migc:allow changing-column-type
-- migc:lock-timeout 2s
ALTER TABLE orders ALTER COLUMN total SET DATA TYPE numeric(12,2);
