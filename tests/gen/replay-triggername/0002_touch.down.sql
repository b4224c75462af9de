DROP TRIGGER orders_updated;
