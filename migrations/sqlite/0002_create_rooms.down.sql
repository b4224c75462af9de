-- Drop rooms and its index.
DROP INDEX rooms_owner;
DROP TABLE rooms;
