CREATE TABLE t (id bigint PRIMARY KEY, email text, name text);
