-- Reminders (/me/reminders): per purpose (class, exam, activity, grade), how long before
-- (lead_minutes: 10, 20, 30 or 60; NULL for grade changes, which are told at once; exams may
-- also be reminded the evening before) and by which channels. No row = no reminder of that
-- purpose (grade changes keep their old default: in-app and WeChat).
CREATE TABLE reminder_prefs (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    lead_minutes INTEGER,
    evening_before BOOLEAN NOT NULL DEFAULT FALSE,
    in_app BOOLEAN NOT NULL,
    email BOOLEAN NOT NULL,
    wechat BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Quiet hours (免打扰), Asia/Shanghai minutes of the day; starts_min > ends_min spans midnight.
CREATE TABLE quiet_hours (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    starts_min INTEGER NOT NULL,
    ends_min INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Every reminder decided, once: occurrence is the idempotency key (purpose, the meeting, the
-- lead), unique per user, so several runners on several instances send it once. outcome:
-- sent, quiet (skipped in quiet hours), no_grant (WeChat only, and no acceptance left);
-- note says what each channel did.
CREATE TABLE reminder_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    outcome TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reminder_log_once_idx ON reminder_log (user_id, occurrence);
