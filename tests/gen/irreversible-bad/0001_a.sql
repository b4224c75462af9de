-- migc:irreversible
CREATE TABLE a (id INTEGER);
