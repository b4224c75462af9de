-- migc:allow require-concurrent-index-deletion
-- migc:lock-timeout 2s
DROP INDEX orders_note;
