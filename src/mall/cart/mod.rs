//! The cart: lines of SKUs a student means to buy, grouped by shop.
//!
//! Rules: only a SKU on sale can be added, and a line never asks for more than the stock (the
//! stock itself is reserved only at checkout). Tables: cart_items.

pub mod handlers;
pub mod queries;
pub mod service;
