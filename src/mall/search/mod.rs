//! Product search: the full-text index of product names and descriptions (kept current by
//! `spawn_search_sync`), and the search page with price, category and sort filters.
//!
//! Rules: the index only proposes ids; what is shown is re-read from the database and
//! re-checked for visibility. Tables: products (read); the index lives in `crate::search`.

pub mod handlers;
pub mod queries;
pub mod service;
