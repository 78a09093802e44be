-- "My orders" and a shop's order list show every status newest first: the (…, status, …)
-- indexes cannot give that order, so a student with many orders sorted them all on each visit.
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_shop_created_idx ON orders (shop_id, created_at DESC, id DESC);
