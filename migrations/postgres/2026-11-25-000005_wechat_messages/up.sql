-- WeChat subscribe messages a user accepted (each acceptance allows one message), and the
-- sensitive-word list every user text passes first.
CREATE TABLE wx_subscriptions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    template_id TEXT NOT NULL,
    remaining INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, template_id)
);

CREATE TABLE sensitive_words (
    id BIGSERIAL PRIMARY KEY,
    word TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT 'block',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sensitive_words_word_key ON sensitive_words (word);
