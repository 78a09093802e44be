//! Orders after checkout: paying (WeChat Pay or the mock cashier), shipping, confirming
//! receipt, cancelling, the order list and page, and the queued jobs that cancel unpaid orders
//! and complete shipped ones.
//!
//! Rules: an order moves only along `OrderStatus::can_become`, through `transition`, whose
//! conditional UPDATE lets exactly one of two racing requests win; a cancelled order gives its
//! stock and coupon back exactly once; a payment applied twice changes nothing.
//! Tables: orders, order_items, order_events, payments.

pub mod handlers;
pub mod queries;
pub mod service;
