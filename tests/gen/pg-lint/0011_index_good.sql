-- migc:no-transaction
-- migc:lock-timeout 2s
CREATE UNIQUE INDEX CONCURRENTLY users_age ON users (age);
CREATE TABLE tags (id bigint PRIMARY KEY, label text);
CREATE INDEX tags_label ON tags (label);
