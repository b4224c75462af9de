-- Add users.last_seen_at and backfill it from each user's latest message.
-- migc:lock-timeout 5s
ALTER TABLE users ADD COLUMN last_seen_at timestamptz;

UPDATE users
   SET last_seen_at = latest.sent_at
  FROM (SELECT user_id, max(sent_at) AS sent_at
          FROM messages
         WHERE user_id IS NOT NULL
         GROUP BY user_id) AS latest
 WHERE latest.user_id = users.id;
