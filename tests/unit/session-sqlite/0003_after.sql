CREATE TABLE s3 AS SELECT (SELECT count(*) FROM pragma_database_list WHERE name = 'mig') AS attached;
