DROP INDEX products_updated_idx;
DROP INDEX products_category_price_idx;
DROP INDEX products_category_id_idx;
DROP INDEX products_status_id_idx;
