-- Removed means gone (issue 25): the upload of a deleted or moderated-away thing stops being
-- served at once (the `/media/` route answers 404 for a path listed here) and is deleted from
-- the store once `purge_after` has passed, by the `privacy.media` job. A thing restored within
-- the grace period (a hidden post shown again) takes its row out and its photos come back.
CREATE TABLE media_removed (
    path TEXT PRIMARY KEY,
    removed_at TIMESTAMP NOT NULL,
    purge_after TIMESTAMP NOT NULL
);
CREATE INDEX media_removed_purge_after_idx ON media_removed (purge_after);

-- A closed second-hand chat (the item's seller or buyer closed their account): it stays
-- readable to the other side, and nobody can write in it any more.
ALTER TABLE chat_threads ADD COLUMN closed_at TIMESTAMP;
