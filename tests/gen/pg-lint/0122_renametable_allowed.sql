-- migc:allow renaming-table
-- migc:lock-timeout 2s
ALTER TABLE spare RENAME TO extra;
