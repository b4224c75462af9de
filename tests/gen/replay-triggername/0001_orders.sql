CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at TEXT);
CREATE INDEX orders_updated ON orders (updated_at);
