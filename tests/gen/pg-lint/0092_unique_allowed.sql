-- migc:allow disallowed-unique-constraint
-- migc:lock-timeout 2s
ALTER TABLE users ADD UNIQUE (born);
