DELETE FROM users WHERE name = 'root';
