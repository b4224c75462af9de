SET SESSION standard_conforming_strings TO 'off';
SET LOCAL Standard_Conforming_Strings = false;
set standard_conforming_strings=0;
SELECT set_config('standard_conforming_strings', 'off', false);
SELECT pg_catalog.set_config('standard_conforming_strings', 'on', false);
ALTER DATABASE app SET standard_conforming_strings = off;
ALTER ROLE app IN DATABASE app SET "standard_conforming_strings" TO off;
DO $$ BEGIN RAISE NOTICE '%', current_setting('standard_conforming_strings'); END $$;
DO $do$ BEGIN
  SET standard_conforming_strings = off;
END $do$;
