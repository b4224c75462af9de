CREATE TABLE a (x int);
\i other.sql
