ALTER TABLE email_outbox DROP COLUMN scrub_after_send;
DROP TABLE identity_reviews;
DROP TABLE one_time_codes;
ALTER TABLE user_sessions DROP COLUMN last_seen_at;
