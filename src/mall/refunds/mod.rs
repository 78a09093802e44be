//! Refunds: the student asks, the merchant approves or rejects, the payment provider confirms.
//!
//! Rules: never more than what is left to refund; a full refund returns the coupon, and the
//! stock too when nothing had shipped; after a partial or rejected refund the order goes back
//! to where it was. Statuses: pending → processing (the provider is being asked; `attempts`
//! counts the calls) → succeeded, or rejected; a refund the provider never took ends `failed`,
//! one WeChat Pay could not pay back `abnormal`, both settled by an admin (`trouble.rs`).
//! Tables: refunds (and the refund columns of orders).

pub mod handlers;
pub mod queries;
pub mod service;
pub mod trouble;
