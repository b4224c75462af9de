-- migc:also-accept c1:1234
CREATE TABLE a (x);
