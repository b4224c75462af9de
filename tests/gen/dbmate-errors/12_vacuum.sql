-- migrate:up
VACUUM;
-- migrate:down
