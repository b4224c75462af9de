-- migc:irreversible legacy data is gone
DROP TABLE legacy;
