-- A student's own timetable entries (自定义课程: a study group, a part-time job, a club): shown
-- on her grid marked as hers, on the today card and in her calendar feed. Either periods
-- (第n-m节) or clock times (Asia/Shanghai wall-clock), never both; weeks as the timetable's
-- week rule text with its bitmask (see academic/weeks.rs).
CREATE TABLE schedule_entries (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    place TEXT NOT NULL,
    day_of_week INTEGER NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
    period_start INTEGER CHECK (period_start BETWEEN 1 AND 12),
    period_end INTEGER CHECK (period_end BETWEEN 1 AND 12),
    starts_at TIME,
    ends_at TIME,
    weeks TEXT NOT NULL,
    week_mask BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((period_start IS NOT NULL AND period_end IS NOT NULL AND period_end >= period_start AND starts_at IS NULL AND ends_at IS NULL)
        OR (period_start IS NULL AND period_end IS NULL AND starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at))
);
CREATE INDEX schedule_entries_user_idx ON schedule_entries (user_id, semester_id);
