CREATE TABLE users (id bigint PRIMARY KEY, name text, email text, age integer, born text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric, note text);
CREATE INDEX users_email ON users (email);
CREATE INDEX orders_user ON orders (user_id);
CREATE INDEX orders_note ON orders (note);
CREATE TABLE logs (id bigint PRIMARY KEY, line text);
CREATE TABLE olds (id bigint PRIMARY KEY);
CREATE TABLE spare (id bigint PRIMARY KEY);
CREATE TABLE parted (id bigint, at timestamptz) PARTITION BY RANGE (at);
