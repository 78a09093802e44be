DROP INDEX audit_log_shop_idx;
ALTER TABLE audit_log DROP COLUMN shop_id;
