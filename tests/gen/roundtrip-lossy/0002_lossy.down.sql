-- Forgets the column.
DROP INDEX a_y;
