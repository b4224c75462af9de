-- What pg_dump writes, and reading the setting, are fine.
SET standard_conforming_strings = on;
SHOW standard_conforming_strings;
SELECT current_setting('standard_conforming_strings');
RESET standard_conforming_strings;
SET standard_conforming_strings TO DEFAULT;
-- Turning it off changes what every later string means.
SET standard_conforming_strings = off;
CREATE TABLE t (x text);
INSERT INTO t VALUES ('x\'); DELETE FROM t; --');
