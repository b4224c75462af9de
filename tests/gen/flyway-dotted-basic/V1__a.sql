-- Flyway orders parts as numbers: 1.2 before 1.10.
CREATE TABLE a (x INTEGER);
