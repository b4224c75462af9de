-- Create memberships: who is in which room, with what role; rows go away
-- with their room or their user.
CREATE TABLE memberships (
	room_id      INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role         TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
	joined_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
	last_read_at TEXT,
	PRIMARY KEY (room_id, user_id)
);

CREATE INDEX memberships_user ON memberships(user_id);
