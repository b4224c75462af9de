-- migrate:up transaction:false
CREATE TABLE notx (x INTEGER);
-- migrate:down transaction:true
DROP TABLE notx;
