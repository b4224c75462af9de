-- Create messages, indexed for reading a room's history in order. A
-- deleted user's messages stay, with user_id set to NULL (messages_user
-- keeps that from scanning the table).
CREATE TABLE messages (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	room_id   bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
	user_id   bigint REFERENCES users (id) ON DELETE SET NULL,
	body      text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
	sent_at   timestamptz NOT NULL DEFAULT now(),
	edited_at timestamptz,
	CONSTRAINT messages_edited_after_sent CHECK (edited_at IS NULL OR edited_at >= sent_at)
);

CREATE INDEX messages_room_sent ON messages (room_id, sent_at);
CREATE INDEX messages_user ON messages (user_id);
