-- migc:allow sqlite-rename-referenced-table
ALTER TABLE users RENAME TO people;
