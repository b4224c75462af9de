CREATE TABLE p2 (s text);
INSERT INTO p2 VALUES ('café');
