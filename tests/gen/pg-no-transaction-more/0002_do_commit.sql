CREATE TABLE t (x int, "commit" int);
DO $$
BEGIN
  -- COMMIT in a comment, a string or a column name is no COMMIT.
  INSERT INTO t (x, commit) VALUES (1, 2);
  RAISE NOTICE 'COMMIT;';
END
$$;
DO $$
BEGIN
  INSERT INTO t VALUES (2);
  COMMIT;
END
$$;
DO LANGUAGE plpgsql $body$
BEGIN
  FOR i IN 1..3 LOOP
    INSERT INTO t VALUES (i);
    IF i = 2 THEN ROLLBACK; ELSE commit and chain; END IF;
  END LOOP;
END
$body$;
