-- migc:allow ban-drop-table
-- migc:lock-timeout 2s
DROP TABLE IF EXISTS staged;
