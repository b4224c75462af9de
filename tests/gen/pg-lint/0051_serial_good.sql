-- migc:lock-timeout 2s
ALTER TABLE logs ADD COLUMN seq2 bigint;
