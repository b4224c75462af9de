INSERT INTO a (id, x) VALUES (1, 'one');
