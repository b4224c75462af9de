-- refinery:noTransaction
VACUUM;
