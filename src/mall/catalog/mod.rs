//! The catalog: what a student browses before buying. The mall home (banners, category tree,
//! hot and new products), category pages with keyset paging, the product page, and the
//! products, SKUs and their stock that every other concern reads and moves.
//!
//! Rules: a product is shown only while it is on the shelf and its shop is open; stock is taken
//! only by a conditional UPDATE (`WHERE stock >= n`), and a move of stock writes a line to
//! `stock_logs`.
//! Tables: shops, product_categories, products, product_skus, banners (read), stock_logs (written).

pub mod handlers;
pub mod queries;
pub mod service;
