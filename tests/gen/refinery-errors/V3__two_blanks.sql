--  refinery:noTransaction
VACUUM;
