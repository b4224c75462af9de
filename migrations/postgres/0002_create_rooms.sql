-- Create rooms: named chat rooms (unique regardless of case), each owned by
-- a user who cannot be deleted while they still own one.
CREATE TABLE rooms (
	id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
	topic           text NOT NULL DEFAULT '',
	owner_id        bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
	last_message_at timestamptz,
	created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX rooms_name_lower ON rooms (lower(name));
CREATE INDEX rooms_owner ON rooms (owner_id);
