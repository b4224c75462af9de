-- On each new message, move the room's last_message_at forward (never
-- back) and mark the room read up to that message for its sender.
CREATE FUNCTION messages_touch() RETURNS trigger AS $$
BEGIN
	UPDATE rooms
	   SET last_message_at = CASE
	           WHEN last_message_at IS NULL OR last_message_at < NEW.sent_at THEN NEW.sent_at
	           ELSE last_message_at
	       END
	 WHERE id = NEW.room_id;
	-- A deleted sender's messages have no user_id; there's no one to mark.
	IF NEW.user_id IS NOT NULL THEN
		UPDATE memberships
		   SET last_read_at = NEW.sent_at
		 WHERE room_id = NEW.room_id AND user_id = NEW.user_id;
		IF NOT FOUND THEN
			RAISE DEBUG USING MESSAGE = format($m$message %s: user %s is not in room %s; nothing marked read$m$,
			                                   NEW.id, NEW.user_id, NEW.room_id);
		END IF;
	END IF;
	RETURN NULL; -- AFTER trigger: the result is ignored
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER messages_touch AFTER INSERT ON messages
	FOR EACH ROW EXECUTE FUNCTION messages_touch();
