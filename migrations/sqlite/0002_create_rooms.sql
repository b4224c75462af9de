-- Create rooms: named chat rooms, each owned by a user who cannot be
-- deleted while they still own one.
CREATE TABLE rooms (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
	topic           TEXT NOT NULL DEFAULT '',
	owner_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
	last_message_at TEXT,
	created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX rooms_owner ON rooms(owner_id);
