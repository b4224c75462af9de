-- migc:allow prefer-text-field, prefer-timestamptz
-- migc:lock-timeout 2s
CREATE TABLE cards (id bigint PRIMARY KEY, body character varying(40), at timestamp);
