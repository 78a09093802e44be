CREATE TABLE calendar_events_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'exam_week', 'key_date')),
    title TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
INSERT INTO calendar_events_old (id, semester_id, kind, title, starts_on, ends_on, created_at)
    SELECT id, semester_id, kind, title, starts_on, ends_on, created_at FROM calendar_events WHERE kind <> 'makeup';
DROP TABLE calendar_events;
ALTER TABLE calendar_events_old RENAME TO calendar_events;
CREATE UNIQUE INDEX calendar_events_key ON calendar_events (semester_id, kind, title, starts_on);
