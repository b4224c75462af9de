-- migc:irreversible the old posts are gone
DROP TABLE posts;
CREATE TABLE articles (id INTEGER PRIMARY KEY, user_id INTEGER, body TEXT);
CREATE INDEX articles_user ON articles (user_id);
