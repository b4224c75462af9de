-- migc:allow adding-foreign-key-constraint
-- migc:lock-timeout 2s
ALTER TABLE spare ADD COLUMN user_id bigint REFERENCES users (id);
