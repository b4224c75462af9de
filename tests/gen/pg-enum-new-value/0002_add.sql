ALTER TYPE mood ADD VALUE 'happy';
ALTER TYPE public."mood" ADD VALUE IF NOT EXISTS 'it''s complicated' AFTER 'happy';
-- 'happy' in a comment between statements is no use.
UPDATE person SET current = 'happy' WHERE name = 'ann';
INSERT INTO person VALUES ('bob', 'it''s complicated'), ('carl', 'happy');
SELECT 'unhappy', 'happy''ish', 'it''s complicated?';
