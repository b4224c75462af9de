-- Drop memberships and its index.
DROP INDEX memberships_user;
DROP TABLE memberships;
