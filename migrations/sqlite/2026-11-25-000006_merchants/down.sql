ALTER TABLE products DROP COLUMN low_stock_threshold;
ALTER TABLE orders DROP COLUMN user_coupon_id;
DROP TABLE user_coupons;
DROP TABLE coupons;
DROP TABLE stock_logs;
DROP TABLE merchant_applications;
