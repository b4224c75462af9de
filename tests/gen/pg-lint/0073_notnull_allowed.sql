-- migc:allow adding-not-nullable-field
-- migc:lock-timeout 2s
ALTER TABLE users ADD COLUMN region text NOT NULL;
