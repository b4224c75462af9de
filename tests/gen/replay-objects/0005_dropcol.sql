-- migc:irreversible a column added and dropped again
ALTER TABLE a2 ADD COLUMN z TEXT;
ALTER TABLE a2 DROP COLUMN z;
