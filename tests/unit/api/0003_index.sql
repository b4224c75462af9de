-- migc:no-transaction
CREATE INDEX c_p ON c(p);
