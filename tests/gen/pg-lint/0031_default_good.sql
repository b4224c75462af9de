-- migc:lock-timeout 2s
ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN flags int DEFAULT 0;
