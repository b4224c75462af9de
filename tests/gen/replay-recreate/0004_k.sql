-- migc:irreversible k is made again
DROP TABLE k;
CREATE TABLE k (a);
CREATE TABLE u (b);
