DROP INDEX product_skus_stock_idx;
DROP INDEX products_shop_id_idx;
