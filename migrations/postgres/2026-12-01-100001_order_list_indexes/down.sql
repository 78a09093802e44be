DROP INDEX orders_user_created_idx;
DROP INDEX orders_shop_created_idx;
