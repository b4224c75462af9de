-- Create users: one row per account; handles are unique regardless of case
-- (a unique index on lower(handle): citext is an extension).
CREATE TABLE users (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	handle       text NOT NULL
	             CHECK (length(handle) BETWEEN 2 AND 32 AND handle ~ '^[A-Za-z0-9_]+$'),
	display_name text CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 80),
	created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_handle_lower ON users (lower(handle));
