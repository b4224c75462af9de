SET search_path = pg_catalog;
SET DateStyle = 'German';
SET client_encoding = 'SQL_ASCII';
CREATE TEMP TABLE mig_tmp (x integer);
PREPARE mig_p AS SELECT 1;
LISTEN mig_c;
DECLARE mig_cur CURSOR WITH HOLD FOR SELECT 1;
CREATE TABLE public.p1 (s text);
-- 300 temporary tables for the reset to drop (some 40 ms, cancelled
-- under the 5 ms timeout unless the reset lifts it first: the SET that
-- lifts it takes some 30 us, a margin load does not eat, as 1 ms was).
DO $$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('CREATE TEMP TABLE mig_many%s (x integer)', i); END LOOP; END $$;
SET statement_timeout = 5;
