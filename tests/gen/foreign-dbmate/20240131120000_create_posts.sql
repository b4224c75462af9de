-- migrate:up
CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);

-- migrate:down
DROP TABLE posts;
