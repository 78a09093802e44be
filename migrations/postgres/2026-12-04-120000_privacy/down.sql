ALTER TABLE chat_threads DROP COLUMN closed_at;
DROP TABLE media_removed;
