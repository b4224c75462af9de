-- migc:lock-timeout 2s
ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN flags int DEFAULT 0;
ALTER TABLE users ADD COLUMN score int DEFAULT 0 CHECK (score >= 0);
ALTER TABLE users ADD COLUMN price numeric(10,2) DEFAULT 0::numeric(10,2);
ALTER TABLE users ADD COLUMN ratio numeric DEFAULT CAST(1 AS numeric(4,2));
ALTER TABLE users ADD COLUMN level int DEFAULT 1 NOT NULL;
