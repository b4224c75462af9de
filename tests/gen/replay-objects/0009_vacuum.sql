-- migc:no-transaction
-- migc:irreversible VACUUM has nothing to undo
VACUUM;
