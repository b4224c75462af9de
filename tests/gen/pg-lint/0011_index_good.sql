-- migc:no-transaction
-- migc:lock-timeout 2s
CREATE UNIQUE INDEX CONCURRENTLY users_age ON users (age);
CREATE TABLE tags (id bigint PRIMARY KEY, label text);
CREATE INDEX tags_label ON tags (label);
CREATE INDEX parted_at ON ONLY parted (at);
CREATE MATERIALIZED VIEW user_names AS SELECT name FROM users;
CREATE INDEX user_names_name ON user_names (name);
