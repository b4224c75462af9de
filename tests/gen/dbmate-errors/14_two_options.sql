-- migrate:up transaction:false transaction:true
VACUUM;
-- migrate:down
