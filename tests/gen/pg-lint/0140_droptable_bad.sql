-- migc:lock-timeout 2s
DROP TABLE olds;
