.read other.sql
CREATE TABLE a (x);
