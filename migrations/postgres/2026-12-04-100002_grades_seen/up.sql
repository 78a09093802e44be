-- What a student last saw on her grades page: a JSON object "semester_id:course_code" → total
-- (tenths). New and changed grades are marked against it until her next visit.
CREATE TABLE grades_seen (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seen TEXT NOT NULL,
    seen_at TIMESTAMP NOT NULL
);
