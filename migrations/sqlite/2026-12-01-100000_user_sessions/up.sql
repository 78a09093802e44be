-- The server-side record of every signed-in session: the cookie names it (by the SHA-256 of its
-- random id), each request checks it, and logout, ban and "sign out everywhere" delete it.
CREATE TABLE user_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id, expires_at);
