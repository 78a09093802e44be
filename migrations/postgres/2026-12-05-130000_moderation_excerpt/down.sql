ALTER TABLE moderation_flags DROP COLUMN times;
ALTER TABLE moderation_flags DROP COLUMN excerpt;
