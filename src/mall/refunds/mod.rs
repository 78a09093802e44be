//! Refunds: the student asks, the merchant approves or rejects, the payment provider confirms.
//!
//! Rules: never more than what is left to refund; a full refund returns the coupon, and the
//! stock too when nothing had shipped; after a partial or rejected refund the order goes back
//! to where it was. Tables: refunds (and the refund columns of orders).

pub mod handlers;
pub mod queries;
pub mod service;
