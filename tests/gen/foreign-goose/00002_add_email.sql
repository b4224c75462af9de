-- Add an email column.
--+goose up
ALTER TABLE users ADD COLUMN email TEXT;
