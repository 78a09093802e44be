-- The forum: admin-managed boards, posts, two-level comments, likes (one per user and thing),
-- reports (one per reporter and post), thread mutes and posting bans.
-- Each hot page's query has its index, named after the page it serves.
CREATE TABLE forum_boards (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    admin_only BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_boards_name_key ON forum_boards (name);

CREATE TABLE forum_posts (
    id BIGSERIAL PRIMARY KEY,
    board_id BIGINT NOT NULL REFERENCES forum_boards (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    images TEXT NOT NULL DEFAULT '[]',
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'visible',
    hidden_reason TEXT,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    like_count BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0,
    view_count BIGINT NOT NULL DEFAULT 0,
    report_count INTEGER NOT NULL DEFAULT 0,
    hot_score DOUBLE PRECISION NOT NULL DEFAULT 0,
    last_reply_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- /forum: latest visible posts of every board (pinned ones apart), keyset on (created_at, id).
CREATE INDEX forum_posts_latest_idx ON forum_posts (status, pinned, created_at DESC, id DESC);
-- /forum/boards/{id}: sort newest, last reply, hot.
CREATE INDEX forum_posts_board_new_idx ON forum_posts (board_id, status, pinned, created_at DESC, id DESC);
CREATE INDEX forum_posts_board_reply_idx ON forum_posts (board_id, status, pinned, last_reply_at DESC, id DESC);
CREATE INDEX forum_posts_board_hot_idx ON forum_posts (board_id, status, pinned, hot_score DESC, id DESC);
-- /forum/ranking and the ranking job: scores of recent posts.
CREATE INDEX forum_posts_hot_idx ON forum_posts (status, hot_score DESC, id DESC);
CREATE INDEX forum_posts_created_idx ON forum_posts (created_at);
-- /me/posts and the posting rate limit.
CREATE INDEX forum_posts_author_idx ON forum_posts (author_id, created_at DESC, id DESC);
-- The search index catches up from here.
CREATE INDEX forum_posts_updated_idx ON forum_posts (updated_at, id);

CREATE TABLE forum_comments (
    id BIGSERIAL PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES forum_posts (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    parent_id BIGINT REFERENCES forum_comments (id),
    reply_to_id BIGINT REFERENCES forum_comments (id),
    reply_to_name TEXT,
    body TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'visible',
    like_count BIGINT NOT NULL DEFAULT 0,
    reply_count BIGINT NOT NULL DEFAULT 0,
    edited_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- /forum/posts/{id}: top-level comments by time or by likes; replies under their comment.
CREATE INDEX forum_comments_post_time_idx ON forum_comments (post_id, parent_id, created_at, id);
CREATE INDEX forum_comments_post_likes_idx ON forum_comments (post_id, parent_id, like_count DESC, id DESC);
CREATE INDEX forum_comments_parent_idx ON forum_comments (parent_id, created_at, id);
-- /me/comments and the commenting rate limit.
CREATE INDEX forum_comments_author_idx ON forum_comments (author_id, created_at DESC, id DESC);

CREATE TABLE forum_likes (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_likes_once_key ON forum_likes (user_id, target_kind, target_id);
-- /me/likes.
CREATE INDEX forum_likes_user_idx ON forum_likes (user_id, created_at DESC, id DESC);

CREATE TABLE forum_reports (
    id BIGSERIAL PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES forum_posts (id),
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_reports_once_key ON forum_reports (post_id, reporter_id);

CREATE TABLE forum_mutes (
    user_id BIGINT NOT NULL REFERENCES users (id),
    post_id BIGINT NOT NULL REFERENCES forum_posts (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, post_id)
);

CREATE TABLE forum_bans (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    until TIMESTAMP NOT NULL,
    reason TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- `@nickname` mentions are resolved by nickname.
CREATE INDEX users_nickname_idx ON users (nickname);
