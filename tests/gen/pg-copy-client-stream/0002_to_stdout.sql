CREATE TABLE u (x int);
-- Server-side files and queries inside parentheses are fine.
COPY u TO '/tmp/u.csv';
COPY (SELECT stdin FROM (SELECT 1 AS stdin) s) TO '/tmp/stdin';
copy (select 1) to
  STDOUT with (format csv);
