-- Drop users (its indexes go with it).
DROP TABLE users;
