CREATE TABLE a (x int);
\restrict
CREATE TABLE b (x int);
