INSERT INTO t VALUES ('${owner}');
