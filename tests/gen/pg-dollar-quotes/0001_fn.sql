CREATE FUNCTION add(a int, b int) RETURNS int AS $$
  SELECT a + b;
$$ LANGUAGE sql;
CREATE FUNCTION f() RETURNS text AS $body$
BEGIN
  RETURN 'a;b' || $$;$$;
END;
$body$ LANGUAGE plpgsql;
SELECT E'it\'s';
