-- migc:irreversible t is made again
DROP TABLE t;
CREATE TABLE t (a, b);
