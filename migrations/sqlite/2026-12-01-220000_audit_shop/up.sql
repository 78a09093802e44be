-- A shop's own activity log (/merchant/log): merchant actions carry the shop they were done for,
-- so one index answers "this shop's log, newest first" and admins still see them in the audit log.
ALTER TABLE audit_log ADD COLUMN shop_id BIGINT;
CREATE INDEX audit_log_shop_idx ON audit_log (shop_id, created_at DESC, id DESC);
