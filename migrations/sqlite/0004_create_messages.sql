-- Create messages, indexed for reading a room's history in order. A
-- deleted user's messages stay, with user_id set to NULL.
CREATE TABLE messages (
	id        INTEGER PRIMARY KEY,
	room_id   INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	body      TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
	sent_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	edited_at TEXT CHECK (edited_at IS NULL OR edited_at >= sent_at)
);

CREATE INDEX messages_room_sent ON messages(room_id, sent_at);
