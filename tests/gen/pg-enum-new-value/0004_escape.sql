-- An E'' string, added and used either way.
ALTER TYPE mood ADD VALUE E'it\'s fine';
UPDATE person SET current = 'it''s fine' WHERE name = 'eve';
UPDATE person SET current = E'it\'s fine' WHERE name = 'fay';
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm';
SELECT E'\x63alm'::mood;
-- Longer strings are no use.
SELECT E'calm\'s', 'calm''s', E'it\'s fine\\';
