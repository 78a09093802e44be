-- Merchant onboarding, stock history, coupons.
CREATE TABLE merchant_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    shop_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    location TEXT NOT NULL,
    category TEXT NOT NULL,
    licence_image TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    reject_reason TEXT,
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX merchant_applications_status_idx ON merchant_applications (status, created_at);
CREATE INDEX merchant_applications_user_idx ON merchant_applications (user_id);

CREATE TABLE stock_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sku_id BIGINT NOT NULL REFERENCES product_skus (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES users (id),
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX stock_logs_product_idx ON stock_logs (product_id, id);

CREATE TABLE coupons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    threshold_cents BIGINT NOT NULL DEFAULT 0,
    amount_cents BIGINT NOT NULL DEFAULT 0,
    percent_off INTEGER NOT NULL DEFAULT 0,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    total INTEGER NOT NULL,
    claimed INTEGER NOT NULL DEFAULT 0,
    per_user_limit INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX coupons_shop_idx ON coupons (shop_id, ends_at);

CREATE TABLE user_coupons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    coupon_id BIGINT NOT NULL REFERENCES coupons (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'unused',
    order_id BIGINT REFERENCES orders (id),
    claimed_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX user_coupons_user_idx ON user_coupons (user_id, status);
CREATE INDEX user_coupons_coupon_user_idx ON user_coupons (coupon_id, user_id);

ALTER TABLE orders ADD COLUMN user_coupon_id BIGINT REFERENCES user_coupons (id);
ALTER TABLE products ADD COLUMN low_stock_threshold BIGINT NOT NULL DEFAULT 5;
