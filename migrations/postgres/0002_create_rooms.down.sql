-- Drop rooms (its indexes go with it).
DROP TABLE rooms;
