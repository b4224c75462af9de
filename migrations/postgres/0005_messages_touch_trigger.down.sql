-- Drop the messages_touch trigger and its function.
DROP TRIGGER messages_touch ON messages;
DROP FUNCTION messages_touch();
