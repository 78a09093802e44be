//! Sign-in and identity: password accounts (argon2id), WeChat mini-program login with a
//! one-time ticket handed to the web-view, development logins, roles.
//!
//! Tables: `users`, `user_roles` (a user's set of roles), `user_auth` (one row per way to sign
//! in: `password` keyed by username, `wechat` keyed by openid), `auth_tokens` (hashed one-time
//! tickets and the shell's short-lived API tokens), `admin_role_grants` (an admin's admin roles,
//! see `staff`), `two_factor` and `two_factor_recovery` (staff two-factor sign-in).

pub mod handlers;
pub mod models;
pub mod password;
pub mod queries;
pub mod service;
pub mod sessions;
pub mod staff;
pub mod two_factor;
pub mod views;
pub mod wechat;

use actix_web::web;

pub use sessions::Directory;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(handlers::show_login))
        .route("/login", web::post().to(handlers::submit_login))
        .route("/login/dev", web::post().to(handlers::dev_login))
        .route("/register", web::get().to(handlers::show_register))
        .route("/register", web::post().to(handlers::submit_register))
        .route("/logout", web::post().to(handlers::logout))
        .route("/logout/everywhere", web::post().to(handlers::logout_everywhere))
        .route("/auth/ticket", web::get().to(handlers::redeem_ticket))
        .route("/api/v1/wx/login", web::post().to(handlers::wx_login))
        .configure(two_factor::routes);
}
