-- On each new message, move the room's last_message_at forward (never
-- back) and mark the room read up to that message for its sender.
CREATE TRIGGER messages_touch AFTER INSERT ON messages
BEGIN
	UPDATE rooms
	   SET last_message_at = CASE
	           WHEN last_message_at IS NULL OR last_message_at < NEW.sent_at THEN NEW.sent_at
	           ELSE last_message_at
	       END
	 WHERE id = NEW.room_id;
	UPDATE memberships
	   SET last_read_at = NEW.sent_at
	 WHERE room_id = NEW.room_id AND user_id = NEW.user_id;
END;
