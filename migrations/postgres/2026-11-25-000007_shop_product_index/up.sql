-- The merchant's product list is ordered by id within a shop.
CREATE INDEX products_shop_id_idx ON products (shop_id, id);
CREATE INDEX product_skus_stock_idx ON product_skus (product_id, stock);
