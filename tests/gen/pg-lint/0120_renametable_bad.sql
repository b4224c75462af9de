-- migc:lock-timeout 2s
ALTER TABLE logs RENAME TO journal;
