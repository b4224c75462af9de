-- Drop the messages_touch trigger.
DROP TRIGGER messages_touch;
