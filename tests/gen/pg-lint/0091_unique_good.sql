-- migc:lock-timeout 2s
ALTER TABLE users ADD CONSTRAINT users_age_key UNIQUE USING INDEX users_age;
