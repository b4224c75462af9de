-- migc:no-transaction
-- Built without locking writers out; each statement commits on its own.
CREATE INDEX CONCURRENTLY t_x ON t (x);
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
    CREATE TYPE mood AS ENUM ('sad', 'ok');
  END IF;
END
$$;
ALTER TYPE mood ADD VALUE 'happy';
CREATE FUNCTION mood_label(m mood) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  q text := $q$SELECT 'x;' || $$;$$$q$;
BEGIN
  IF m = 'happy' THEN
    RETURN $$:-)$$;
  END IF;
  EXECUTE q;
  RETURN 'meh; CREATE INDEX CONCURRENTLY';
END;
$fn$;
VACUUM ANALYZE t;
