-- Drop messages (its indexes go with it).
DROP TABLE messages;
