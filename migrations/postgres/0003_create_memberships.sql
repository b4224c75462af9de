-- Create memberships: who is in which room, with what role; rows go away
-- with their room or their user.
CREATE TYPE membership_role AS ENUM ('owner', 'moderator', 'member');

CREATE TABLE memberships (
	room_id      bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
	user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role         membership_role NOT NULL DEFAULT 'member',
	joined_at    timestamptz NOT NULL DEFAULT now(),
	last_read_at timestamptz,
	PRIMARY KEY (room_id, user_id)
);

CREATE INDEX memberships_user ON memberships (user_id);
