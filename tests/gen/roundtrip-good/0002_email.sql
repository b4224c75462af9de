ALTER TABLE users ADD COLUMN email TEXT;
CREATE VIEW named AS SELECT id, name FROM users;
