-- A BEGIN; ... COMMIT; wrapper does not make these acceptable.
BEGIN;
CREATE INDEX CONCURRENTLY t_y2 ON t (y);
COMMIT;
