PRAGMA recursive_triggers = OFF;
PRAGMA cache_size = 100;
PRAGMA legacy_alter_table = ON;
CREATE TEMP TABLE mig_tmp (x INTEGER);
CREATE TABLE s1 (x INTEGER);
