-- The moderation queue every module files into: what (kind + id), whose, why; then an admin's
-- decision. At most one open flag per thing.
CREATE TABLE moderation_flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    author_id BIGINT REFERENCES users (id),
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL,
    resolved_by BIGINT REFERENCES users (id),
    resolved_at TIMESTAMP
);
CREATE INDEX moderation_flags_status_idx ON moderation_flags (status, id);
CREATE UNIQUE INDEX moderation_flags_one_open ON moderation_flags (kind, target_id) WHERE status = 'open';
