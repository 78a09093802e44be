-- 调休: a make-up day (usually a weekend) on which classes follow the timetable of another
-- date (`follows_on`, usually a day of the holiday it makes up for).
ALTER TABLE calendar_events ADD COLUMN follows_on DATE;
ALTER TABLE calendar_events DROP CONSTRAINT calendar_events_kind_check;
ALTER TABLE calendar_events ADD CONSTRAINT calendar_events_kind_check
    CHECK (kind IN ('holiday', 'exam_week', 'key_date', 'makeup'));
ALTER TABLE calendar_events ADD CONSTRAINT calendar_events_makeup_check
    CHECK ((kind = 'makeup') = (follows_on IS NOT NULL));
