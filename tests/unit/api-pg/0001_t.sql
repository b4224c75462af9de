CREATE TABLE t (x integer CHECK (x > 0));
DO $$ BEGIN RAISE NOTICE 'hello from 0001'; END $$;
