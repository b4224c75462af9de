--migrate:up
INSERT INTO users (id, name) VALUES (1, '-- migrate:down is only text here');
--	migrate:down
