//! Checkout: the cart becomes one order per shop, with a pickup point or a dorm address, and
//! at most one of the student's coupons; also claiming coupons into the student's wallet.
//!
//! Rules: stock is reserved with `UPDATE ... WHERE stock >= n`, all or nothing in one
//! transaction; a form submitted twice (same checkout key) places its orders once; the discount
//! is computed on the server and a coupon is used at most once.
//! Tables: orders, order_items (written), pickup_points, coupons, user_coupons.

pub mod handlers;
pub mod queries;
pub mod service;
