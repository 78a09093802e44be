-- Second-hand market: items, reports, buyer-seller message threads.
CREATE TABLE second_hand_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    condition TEXT NOT NULL,
    images TEXT NOT NULL DEFAULT '[]',
    pickup_place TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'on',
    report_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX second_hand_items_status_idx ON second_hand_items (status, created_at DESC, id DESC);
CREATE INDEX second_hand_items_seller_idx ON second_hand_items (seller_id, created_at DESC);

CREATE TABLE second_hand_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES second_hand_items (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX second_hand_reports_once_key ON second_hand_reports (item_id, reporter_id);

CREATE TABLE chat_threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id BIGINT NOT NULL REFERENCES second_hand_items (id) ON DELETE CASCADE,
    buyer_id BIGINT NOT NULL REFERENCES users (id),
    seller_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX chat_threads_item_buyer_key ON chat_threads (item_id, buyer_id);
CREATE INDEX chat_threads_seller_idx ON chat_threads (seller_id, updated_at DESC);

CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id BIGINT NOT NULL REFERENCES chat_threads (id) ON DELETE CASCADE,
    sender_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX chat_messages_thread_idx ON chat_messages (thread_id, id);
