CREATE TABLE t (x int, y int);
CREATE INDEX CONCURRENTLY t_x ON t (x);
create unique index concurrently if not exists t_y on t (y);
DROP INDEX CONCURRENTLY IF EXISTS t_x;
REINDEX (VERBOSE) TABLE CONCURRENTLY t;
VACUUM ANALYZE t;
