-- Drop memberships (its indexes go with it), then its role type.
DROP TABLE memberships;
DROP TYPE membership_role;
