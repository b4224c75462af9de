-- migc:allow ban-truncate-cascade
-- migc:lock-timeout 2s
TRUNCATE TABLE orders CASCADE;
