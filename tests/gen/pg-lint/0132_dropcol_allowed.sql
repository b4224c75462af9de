-- migc:allow ban-drop-column
-- migc:lock-timeout 2s
ALTER TABLE users DROP COLUMN IF EXISTS token;
