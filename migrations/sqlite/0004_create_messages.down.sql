-- Drop messages and its index.
DROP INDEX messages_room_sent;
DROP TABLE messages;
