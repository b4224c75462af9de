-- A later migration (its own transaction) may use them.
UPDATE person SET current = 'happy' WHERE name = 'dan';
