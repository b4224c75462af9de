-- migc:irreversible one
-- migc:irreversible two
CREATE TABLE b (id INTEGER);
