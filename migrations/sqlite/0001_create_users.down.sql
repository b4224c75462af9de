-- Drop users.
DROP TABLE users;
