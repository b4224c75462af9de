-- migrate:up transaction:false
CREATE INDEX posts_title ON posts (title);

-- migrate:down
DROP INDEX posts_title;
