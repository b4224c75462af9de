ALTER TABLE tags RENAME TO tags_old;
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);
INSERT INTO tags (id) SELECT id FROM tags_old;
DROP TABLE tags_old;
