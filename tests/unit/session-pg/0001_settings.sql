SET search_path = pg_catalog;
SET DateStyle = 'German';
SET client_encoding = 'SQL_ASCII';
CREATE TEMP TABLE mig_tmp (x integer);
PREPARE mig_p AS SELECT 1;
LISTEN mig_c;
DECLARE mig_cur CURSOR WITH HOLD FOR SELECT 1;
CREATE TABLE public.p1 (s text);
SET statement_timeout = 1;
