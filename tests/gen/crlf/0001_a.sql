-- windows
CREATE TABLE a (x);
INSERT INTO a VALUES ('x
y');
