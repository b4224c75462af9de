-- migc:foreign-keys-off
CREATE TABLE a (x int);
