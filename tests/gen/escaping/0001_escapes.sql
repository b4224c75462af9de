-- "quotes" and \backslashes\ and */ and ??/ and ??= and ???/
CREATE TABLE e (id INTEGER PRIMARY KEY, a TEXT);
INSERT INTO e (a) VALUES ('it''s "x" \');
INSERT INTO e (a) VALUES ('??/ ??= ???/ */ /* */');
INSERT INTO e (a) VALUES ('
#include <stdio.h>
#define X 1 \
');
INSERT INTO e (a) VALUES ('tab	here');
INSERT INTO e (a) VALUES ('café € �');
