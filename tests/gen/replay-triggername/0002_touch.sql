CREATE TRIGGER orders_updated AFTER UPDATE ON orders BEGIN UPDATE orders SET updated_at = datetime('now') WHERE id = new.id; END;
