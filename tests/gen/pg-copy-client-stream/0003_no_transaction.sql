-- migc:no-transaction
COPY BINARY u FROM STDIN;
