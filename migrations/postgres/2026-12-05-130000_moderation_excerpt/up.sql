-- The moderation queue shows what it is about (issue 29): a short excerpt of the flagged text,
-- kept with the flag, and how many times the thing was flagged (reports, word-filter hits) while
-- it waited; a second flag of a waiting thing counts here instead of adding a row.
ALTER TABLE moderation_flags ADD COLUMN excerpt TEXT NOT NULL DEFAULT '';
ALTER TABLE moderation_flags ADD COLUMN times BIGINT NOT NULL DEFAULT 1;
