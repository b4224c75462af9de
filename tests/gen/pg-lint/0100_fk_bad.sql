-- migc:lock-timeout 2s
ALTER TABLE logs ADD COLUMN user_id bigint REFERENCES users (id);
