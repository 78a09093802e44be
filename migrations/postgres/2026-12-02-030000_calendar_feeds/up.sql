-- A student's private timetable feed (/academic/schedule.ics?token=...): only the token's hash
-- is kept; generating a new one replaces the row, so the old URL stops working.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
