-- Fails only when run.
INSERT INTO a VALUES (1);
INSERT INTO nosuch
  VALUES (2);
