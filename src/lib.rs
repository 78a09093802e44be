//! campus: a campus super-app (academic, forum, mall, back office) in one actix-web server.
//!
//! See `shared/DESIGN.md` for the architecture; each module's own doc comment says what it owns.

pub mod academic;
pub mod activity;
pub mod admin;
pub mod app;
pub mod audit;
pub mod auth;
pub mod campus;
pub mod config;
pub mod db;
pub mod error;
pub mod feedback;
pub mod forum;
pub mod home;
pub mod identity;
pub mod jobs;
pub mod mall;
pub mod market;
pub mod merchant;
pub mod moderation;
pub mod notify;
pub mod ops;
pub mod pay;
pub mod privacy;
pub mod profile;
pub mod reminders;
pub mod search;
pub mod seed;
pub mod settings;
pub mod state;
pub mod tabular;
pub mod web;
pub mod wechat;
