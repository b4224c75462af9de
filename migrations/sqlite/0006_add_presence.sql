-- Add users.last_seen_at and backfill it from each user's latest message.
ALTER TABLE users ADD COLUMN last_seen_at TEXT;

UPDATE users
   SET last_seen_at = (SELECT max(sent_at) FROM messages WHERE messages.user_id = users.id);
