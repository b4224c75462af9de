-- migc:irreversible the old b is gone
DROP TABLE b;
CREATE TABLE b (id INTEGER PRIMARY KEY, note TEXT);
