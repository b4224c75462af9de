-- migc:allow adding-stored-generated-column
-- migc:lock-timeout 2s
ALTER TABLE orders ADD COLUMN tripled numeric GENERATED ALWAYS AS (total * 3) STORED;
