-- The users table.
  -- (an indented comment is fine before the up mark)

-- migrate:up
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX users_name ON users (name);

-- migrate:down
DROP INDEX users_name;
DROP TABLE users;
