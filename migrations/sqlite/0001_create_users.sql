-- Create users: one row per account; handles are unique regardless of case.
CREATE TABLE users (
	id           INTEGER PRIMARY KEY,
	handle       TEXT NOT NULL UNIQUE COLLATE NOCASE
	             CHECK (length(handle) BETWEEN 2 AND 32 AND handle NOT GLOB '*[^A-Za-z0-9_]*'),
	display_name TEXT CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 80),
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
