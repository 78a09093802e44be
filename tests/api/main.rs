//! The integration suite: one crate, a module per feature. Every test starts the real app on a
//! random port against a fresh database and speaks HTTP to it.

// A failing unwrap is a failing test: the right outcome here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod academic_import;
mod academic_pages;
mod activity;
mod admin;
mod auth;
mod browser;
mod browser_forum;
mod browser_identity;
mod browser_life;
mod browser_polish;
mod browser_rules;
mod campus;
mod cli;
mod concurrency;
mod email;
mod fake_wxpay;
mod feedback;
mod forum;
mod forum_input;
mod helpers;
mod identity;
mod imports;
mod mall;
mod market;
mod merchant;
mod merchant_log;
mod messages;
mod moderation;
mod notify_prefs;
mod ops;
mod passwords;
mod polish;
mod privacy;
mod profile;
mod refunds;
mod search;
mod security;
mod sessions;
mod shell;
mod wechat;
pub mod wxpay;
