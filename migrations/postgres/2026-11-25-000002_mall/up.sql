-- Mall: shops, catalog with SKUs, banners, cart, orders with events, payments, refunds.
CREATE TABLE shops (
    id BIGSERIAL PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX shops_owner_key ON shops (owner_id);

CREATE TABLE product_categories (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES product_categories (id),
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX product_categories_parent_idx ON product_categories (parent_id, sort_order);

CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    category_id BIGINT NOT NULL REFERENCES product_categories (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    images TEXT NOT NULL DEFAULT '[]',
    price_cents BIGINT NOT NULL,
    original_price_cents BIGINT,
    sales BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'on',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX products_category_sales_idx ON products (category_id, status, sales DESC, id DESC);
CREATE INDEX products_status_sales_idx ON products (status, sales DESC, id DESC);
CREATE INDEX products_status_created_idx ON products (status, created_at DESC, id DESC);
CREATE INDEX products_shop_idx ON products (shop_id, status);

CREATE TABLE product_skus (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL,
    stock BIGINT NOT NULL DEFAULT 0 CHECK (stock >= 0),
    sales BIGINT NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX product_skus_product_idx ON product_skus (product_id, sort_order);

CREATE TABLE banners (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    image TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    sort_order INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE pickup_points (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE cart_items (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sku_id BIGINT NOT NULL REFERENCES product_skus (id) ON DELETE CASCADE,
    quantity BIGINT NOT NULL CHECK (quantity > 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX cart_items_user_sku_key ON cart_items (user_id, sku_id);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    order_no TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    shop_id BIGINT NOT NULL REFERENCES shops (id),
    status TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    discount_cents BIGINT NOT NULL DEFAULT 0,
    pay_cents BIGINT NOT NULL,
    refunded_cents BIGINT NOT NULL DEFAULT 0,
    delivery_type TEXT NOT NULL,
    pickup_point_id BIGINT REFERENCES pickup_points (id),
    receiver_name TEXT NOT NULL DEFAULT '',
    receiver_phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    remark TEXT NOT NULL DEFAULT '',
    checkout_key TEXT NOT NULL,
    refund_from TEXT,
    courier TEXT,
    tracking_no TEXT,
    pickup_code TEXT,
    paid_at TIMESTAMP,
    shipped_at TIMESTAMP,
    completed_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX orders_order_no_key ON orders (order_no);
CREATE UNIQUE INDEX orders_checkout_shop_key ON orders (user_id, checkout_key, shop_id);
CREATE INDEX orders_user_status_idx ON orders (user_id, status, created_at DESC);
CREATE INDEX orders_shop_status_idx ON orders (shop_id, status, created_at DESC);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);

CREATE TABLE order_items (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL REFERENCES products (id),
    sku_id BIGINT NOT NULL REFERENCES product_skus (id),
    product_name TEXT NOT NULL,
    sku_name TEXT NOT NULL,
    image TEXT NOT NULL DEFAULT '',
    price_cents BIGINT NOT NULL,
    quantity BIGINT NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (order_id);

CREATE TABLE order_events (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);

CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    transaction_id TEXT,
    paid_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX payments_order_provider_key ON payments (order_id, provider);
CREATE UNIQUE INDEX payments_transaction_key ON payments (provider, transaction_id);

CREATE TABLE refunds (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    refund_no TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    reject_reason TEXT,
    provider_refund_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX refunds_refund_no_key ON refunds (refund_no);
CREATE INDEX refunds_order_idx ON refunds (order_id);
