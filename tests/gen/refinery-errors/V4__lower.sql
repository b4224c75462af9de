-- refinery:notransaction
VACUUM;
