//! Managing what the mall offers, for the admin and merchant modules and the demo seed: shops,
//! products and their SKUs, categories, banners, pickup points, taking a product down. No
//! routes of its own: admin and merchant pages call these through `mall::service`.
//!
//! Tables: shops, products, product_skus, product_categories, banners, pickup_points.

pub mod queries;
pub mod service;
