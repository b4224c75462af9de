-- migc:no-transaction
-- migc:allow sqlite-drop-referenced-table
DROP TABLE groups;
DROP TABLE members;
