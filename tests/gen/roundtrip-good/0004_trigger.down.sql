DROP TRIGGER users_touch;
