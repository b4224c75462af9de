-- migc:lock-timeout 2s
ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ADD COLUMN kind text NOT NULL DEFAULT 'user';
