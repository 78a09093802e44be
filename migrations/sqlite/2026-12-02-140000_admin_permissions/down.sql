ALTER TABLE audit_log DROP COLUMN permission;
DROP TABLE admin_role_grants;
