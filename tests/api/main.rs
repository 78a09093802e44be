//! The integration suite: one crate, a module per feature. Every test starts the real app on a
//! random port against a fresh database and speaks HTTP to it.

// A failing unwrap is a failing test: the right outcome here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod academic_import;
mod academic_pages;
mod activity;
mod admin;
mod auth;
mod backup;
mod browser;
mod browser_academic;
mod browser_forum;
mod browser_identity;
mod browser_life;
mod browser_phone;
mod browser_polish;
mod browser_rules;
mod browser_staff;
mod campus;
mod classrooms;
mod cli;
mod concurrency;
mod drain;
mod email;
mod fake_wxpay;
mod feedback;
mod forum;
mod forum_input;
mod helpers;
mod identity;
mod imports;
mod job_leases;
mod mall;
mod market;
mod media_s3;
mod merchant;
mod merchant_log;
mod messages;
mod metrics;
mod moderation;
mod notify_prefs;
mod ops;
mod passwords;
mod permissions;
pub mod phone;
mod polish;
mod privacy;
mod profile;
mod refunds;
mod sealed;
mod search;
mod security;
mod sessions;
mod shared_limits;
mod shell;
mod sms;
mod teaching;
mod two_factor;
mod wechat;
pub mod wxpay;
