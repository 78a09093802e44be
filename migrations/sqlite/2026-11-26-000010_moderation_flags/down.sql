DROP TABLE moderation_flags;
