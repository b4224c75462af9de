-- migc:allow adding-field-with-default
-- migc:lock-timeout 2s
ALTER TABLE users ADD COLUMN luck float8 DEFAULT random();
