-- migc:irreversible but it has statements
DROP TABLE d;
