-- Second-hand done safely: a reservation with a handover code on the item (one at a time, by a
-- conditional UPDATE), the buyer it was sold to, a 30-day expiry, meetup points offered by the
-- seller and picked in the chat, ratings after a handover, wanted posts, favourites.
ALTER TABLE second_hand_items ADD COLUMN category TEXT NOT NULL DEFAULT 'other';
ALTER TABLE second_hand_items ADD COLUMN reserve_hours INTEGER NOT NULL DEFAULT 24;
ALTER TABLE second_hand_items ADD COLUMN reserved_by BIGINT REFERENCES users (id);
ALTER TABLE second_hand_items ADD COLUMN reserved_until TIMESTAMP;
ALTER TABLE second_hand_items ADD COLUMN handover_code TEXT;
ALTER TABLE second_hand_items ADD COLUMN code_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE second_hand_items ADD COLUMN buyer_id BIGINT REFERENCES users (id);
ALTER TABLE second_hand_items ADD COLUMN sold_at TIMESTAMP;
ALTER TABLE second_hand_items ADD COLUMN expires_at TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00';
ALTER TABLE second_hand_items ADD COLUMN expiry_reminded_at TIMESTAMP;
UPDATE second_hand_items SET expires_at = created_at + INTERVAL '30 days';
CREATE INDEX second_hand_items_buyer_idx ON second_hand_items (buyer_id);
CREATE INDEX second_hand_items_reserved_idx ON second_hand_items (reserved_by);
CREATE INDEX second_hand_items_expiry_idx ON second_hand_items (status, expires_at);

-- The admin's list of safe places to meet, ideally a point of the campus map.
CREATE TABLE second_hand_meetup_points (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    poi_id BIGINT REFERENCES campus_pois (id) ON DELETE SET NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

-- A place and time the seller offers for an item.
CREATE TABLE second_hand_meetups (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES second_hand_items (id) ON DELETE CASCADE,
    point_id BIGINT NOT NULL REFERENCES second_hand_meetup_points (id),
    meet_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX second_hand_meetups_item_idx ON second_hand_meetups (item_id, meet_at);

-- The offer the buyer picked in the chat.
ALTER TABLE chat_threads ADD COLUMN meetup_id BIGINT REFERENCES second_hand_meetups (id) ON DELETE SET NULL;

-- After a handover each side rates the other once.
CREATE TABLE second_hand_ratings (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES second_hand_items (id) ON DELETE CASCADE,
    rater_id BIGINT NOT NULL REFERENCES users (id),
    ratee_id BIGINT NOT NULL REFERENCES users (id),
    score TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX second_hand_ratings_once_key ON second_hand_ratings (item_id, rater_id);
CREATE INDEX second_hand_ratings_ratee_idx ON second_hand_ratings (ratee_id, created_at DESC);

-- 求购: what a student is looking for.
CREATE TABLE second_hand_wanted (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    keywords TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    max_price_cents BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX second_hand_wanted_open_idx ON second_hand_wanted (status, created_at DESC);
CREATE INDEX second_hand_wanted_user_idx ON second_hand_wanted (user_id);

-- A listing that matched a wanted post: the unique key tells the poster once.
CREATE TABLE second_hand_wanted_hits (
    id BIGSERIAL PRIMARY KEY,
    wanted_id BIGINT NOT NULL REFERENCES second_hand_wanted (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES second_hand_items (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX second_hand_wanted_hits_once_key ON second_hand_wanted_hits (wanted_id, item_id);

-- Favoured listings, with the price the person last heard of (a cut below it tells them once).
CREATE TABLE second_hand_favourites (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES second_hand_items (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    seen_price_cents BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX second_hand_favourites_once_key ON second_hand_favourites (item_id, user_id);
CREATE INDEX second_hand_favourites_user_idx ON second_hand_favourites (user_id);
