-- Remove users.last_seen_at (ALTER TABLE ... DROP COLUMN needs SQLite 3.35+).
ALTER TABLE users DROP COLUMN last_seen_at;
