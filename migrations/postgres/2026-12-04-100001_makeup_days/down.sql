DELETE FROM calendar_events WHERE kind = 'makeup';
ALTER TABLE calendar_events DROP CONSTRAINT calendar_events_makeup_check;
ALTER TABLE calendar_events DROP CONSTRAINT calendar_events_kind_check;
ALTER TABLE calendar_events ADD CONSTRAINT calendar_events_kind_check CHECK (kind IN ('holiday', 'exam_week', 'key_date'));
ALTER TABLE calendar_events DROP COLUMN follows_on;
