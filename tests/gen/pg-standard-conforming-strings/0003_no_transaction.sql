-- migc:no-transaction
SET standard_conforming_strings = off;
