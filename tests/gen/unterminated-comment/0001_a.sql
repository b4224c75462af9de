CREATE TABLE t (x);
/* never
closed
