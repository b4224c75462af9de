-- migc:irreversible in the up
CREATE TABLE e (id INTEGER);
