//! The integration suite: one crate, a module per feature. Every test starts the real app on a
//! random port against a fresh database and speaks HTTP to it.

mod auth;
mod browser;
mod email;
mod helpers;
mod messages;
mod ops;
mod profile;
mod security;
mod sessions;
mod wechat;
