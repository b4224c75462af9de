-- migc:allow adding-foreign-key-constraint
-- migc:lock-timeout 2s
ALTER TABLE spare ADD COLUMN user_id bigint REFERENCES users (id);
ALTER TABLE spare ADD COLUMN owner_id bigint DEFAULT 0 REFERENCES users (id);
