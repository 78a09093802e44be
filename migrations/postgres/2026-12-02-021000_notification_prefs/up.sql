-- Notification preferences (/me/messages/settings): per message category (system, order,
-- activity, forum, academic), whether email and WeChat subscribe messages go out. In-app messages
-- always do. No row means the defaults (email for the kinds that warrant one, WeChat on).
CREATE TABLE notification_prefs (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    email BOOLEAN NOT NULL,
    wechat BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, category)
);
