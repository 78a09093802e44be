-- When a session was last used, for 我的 → 账号与安全. Written at most once per few minutes per
-- session (the per-request check reads it and only writes when it is stale).
ALTER TABLE user_sessions ADD COLUMN last_seen_at TIMESTAMP;

-- One-time codes sent by email: password reset (target = the email address) and the campus
-- mailbox check of student verification (target = the school number). Only a keyed hash of the
-- code is kept; a code is good for 10 minutes and 5 tries, and is used once (a conditional
-- UPDATE on used_at decides who used it).
CREATE TABLE one_time_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX one_time_codes_target_idx ON one_time_codes (purpose, target, created_at);

-- Student-card photos waiting for an admin (manual identity review). The photo lives outside the
-- public media folder and is deleted once decided (photo_file set to NULL).
CREATE TABLE identity_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    school_no TEXT NOT NULL,
    real_name TEXT NOT NULL,
    photo_file TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT,
    reviewer_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
CREATE INDEX identity_reviews_status_idx ON identity_reviews (status, created_at);
CREATE INDEX identity_reviews_user_idx ON identity_reviews (user_id, created_at);
-- One waiting review per account at a time.
CREATE UNIQUE INDEX identity_reviews_pending_key ON identity_reviews (user_id) WHERE status = 'pending';

-- An email carrying a one-time code keeps its body only until it is sent (the code must not sit
-- readable in the database after it left).
ALTER TABLE email_outbox ADD COLUMN scrub_after_send BOOLEAN NOT NULL DEFAULT 0;
