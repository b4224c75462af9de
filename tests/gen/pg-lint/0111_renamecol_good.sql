-- migc:lock-timeout 2s
CREATE TABLE drafts (id bigint PRIMARY KEY, title text);
ALTER TABLE drafts RENAME COLUMN title TO heading;
