//! See the parent module.

pub mod handlers;
pub mod queries;
pub mod service;
pub mod submit;
