-- Campus news (sanitized HTML, published at a set time) and the campus map (one image, points
-- of interest placed on it by percentage, with coordinates for WeChat's map).
CREATE TABLE campus_news (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_html TEXT NOT NULL,
    cover TEXT,
    author_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'published',
    published_at TIMESTAMP NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX campus_news_feed_idx ON campus_news (status, published_at DESC, id DESC);
CREATE INDEX campus_news_category_idx ON campus_news (category, status, published_at DESC, id DESC);

CREATE TABLE campus_maps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    image TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE campus_pois (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    hours TEXT NOT NULL,
    x_bp INTEGER NOT NULL,
    y_bp INTEGER NOT NULL,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX campus_pois_category_idx ON campus_pois (active, category, name);
