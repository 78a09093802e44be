//! See the parent module.

pub mod handlers;
pub mod service;
