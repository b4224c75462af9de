-- migc:no-transaction
CREATE TABLE a (x integer);
DISCARD ALL;
DISCARD TEMP;
