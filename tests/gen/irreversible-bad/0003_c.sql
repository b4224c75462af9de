-- migc:irreversible in the up
CREATE TABLE c (id INTEGER);
