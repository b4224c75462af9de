-- migc:allow renaming-column
-- migc:lock-timeout 2s
ALTER TABLE orders RENAME note TO remark;
