-- Cluster-wide objects.
CREATE DATABASE other;
DROP DATABASE IF EXISTS other;
CREATE TABLESPACE fast LOCATION '/srv/fast';
DROP TABLESPACE fast;
ALTER SYSTEM SET work_mem = '64MB';
