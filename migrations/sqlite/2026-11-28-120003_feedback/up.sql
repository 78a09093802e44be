-- Feedback from users and the thread of replies between them and the admins.
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    category TEXT NOT NULL,
    body TEXT NOT NULL,
    images TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX feedback_user_idx ON feedback (user_id, created_at DESC);
CREATE INDEX feedback_status_idx ON feedback (status, updated_at DESC);

CREATE TABLE feedback_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id BIGINT NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    staff BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX feedback_replies_thread_idx ON feedback_replies (feedback_id, id);
