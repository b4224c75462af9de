-- migc:irreversible drops the legacy column x and its data
ALTER TABLE a DROP COLUMN x;
