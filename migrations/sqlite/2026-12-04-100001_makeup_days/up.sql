-- 调休: a make-up day (usually a weekend) on which classes follow the timetable of another
-- date (`follows_on`, usually a day of the holiday it makes up for). SQLite cannot alter a
-- CHECK, so the table is rebuilt (nothing references it).
CREATE TABLE calendar_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'exam_week', 'key_date', 'makeup')),
    title TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    follows_on DATE,
    CHECK (ends_on >= starts_on),
    CHECK ((kind = 'makeup') = (follows_on IS NOT NULL))
);
INSERT INTO calendar_events_new (id, semester_id, kind, title, starts_on, ends_on, created_at)
    SELECT id, semester_id, kind, title, starts_on, ends_on, created_at FROM calendar_events;
DROP TABLE calendar_events;
ALTER TABLE calendar_events_new RENAME TO calendar_events;
CREATE UNIQUE INDEX calendar_events_key ON calendar_events (semester_id, kind, title, starts_on);
