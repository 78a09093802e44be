-- Trust in the forum: verified spaces (boards and activities an admin opens to everyone),
-- boards that review every post, saved posts, comment reports, board moderators (版主),
-- their mod log and the warnings they give.
ALTER TABLE forum_boards ADD COLUMN open_to_all BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE forum_boards ADD COLUMN review_all BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE activities ADD COLUMN open_to_all BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE forum_saves (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    post_id BIGINT NOT NULL REFERENCES forum_posts (id),
    created_at TIMESTAMP NOT NULL
);
-- One save per person and post: a double click cannot save twice.
CREATE UNIQUE INDEX forum_saves_user_post_key ON forum_saves (user_id, post_id);
-- /me/saved: newest first.
CREATE INDEX forum_saves_user_idx ON forum_saves (user_id, created_at DESC, id DESC);

CREATE TABLE forum_comment_reports (
    id BIGSERIAL PRIMARY KEY,
    comment_id BIGINT NOT NULL REFERENCES forum_comments (id),
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_comment_reports_key ON forum_comment_reports (comment_id, reporter_id);
CREATE INDEX forum_comment_reports_reporter_idx ON forum_comment_reports (reporter_id);

CREATE TABLE forum_moderators (
    board_id BIGINT NOT NULL REFERENCES forum_boards (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    appointed_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (board_id, user_id)
);
CREATE INDEX forum_moderators_user_idx ON forum_moderators (user_id);

CREATE TABLE forum_mod_log (
    id BIGSERIAL PRIMARY KEY,
    board_id BIGINT NOT NULL REFERENCES forum_boards (id),
    actor_id BIGINT NOT NULL REFERENCES users (id),
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
-- /forum/boards/{id}/log: newest first.
CREATE INDEX forum_mod_log_board_idx ON forum_mod_log (board_id, id DESC);
CREATE INDEX forum_mod_log_actor_idx ON forum_mod_log (actor_id);

CREATE TABLE forum_warnings (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    board_id BIGINT NOT NULL REFERENCES forum_boards (id),
    issued_by BIGINT NOT NULL REFERENCES users (id),
    post_id BIGINT REFERENCES forum_posts (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX forum_warnings_user_idx ON forum_warnings (user_id, id DESC);
CREATE INDEX forum_warnings_issuer_idx ON forum_warnings (issued_by);
