ALTER TABLE orders ADD COLUMN shipped bool;
