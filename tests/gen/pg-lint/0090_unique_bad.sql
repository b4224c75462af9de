-- migc:lock-timeout 2s
ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE (name);
