-- Indexes for the catalog's other orders (newest, price) so lists never sort the whole table.
CREATE INDEX products_status_id_idx ON products (status, id);
CREATE INDEX products_category_id_idx ON products (category_id, status, id);
CREATE INDEX products_category_price_idx ON products (category_id, status, price_cents, id);
CREATE INDEX products_updated_idx ON products (updated_at, id);
