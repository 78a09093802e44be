//! Sign-in and identity: password accounts (argon2id), WeChat mini-program login with a
//! one-time ticket handed to the web-view, development logins, roles.
//!
//! Tables: `users`, `user_roles` (a user's set of roles), `user_auth` (one row per way to sign
//! in: `password` keyed by username, `wechat` keyed by openid), `auth_tokens` (hashed one-time
//! tickets and the shell's short-lived API tokens), `user_sessions` (server-side session records),
//! `one_time_codes` (emailed and texted codes: password reset, campus mailbox, phone), `sms_sends`
//! (SMS limits per number, see `phone`), `admin_role_grants` (an
//! admin's admin roles, see `staff`), `two_factor` and `two_factor_recovery` (staff two-factor
//! sign-in).
//!
//! Passwords: 8+ characters with a letter and a digit, not one of the 10,000 most common
//! (`password::is_common`), at registration, change (`security`) and reset (`passwords`).

pub mod bans;
pub mod codes;
pub mod devices;
pub mod handlers;
pub mod models;
pub mod password;
pub mod passwords;
pub mod phone;
pub mod privacy;
pub mod queries;
pub mod security;
pub mod service;
pub mod sessions;
pub mod signin;
pub mod staff;
pub mod two_factor;
pub mod views;

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
        .route("/me/security", web::get().to(security::show_security))
        .route("/me/security/password", web::post().to(security::change_password))
        .route("/me/security/sessions/end-others", web::post().to(security::end_other_sessions))
        .route("/me/security/sessions/{id}/end", web::post().to(security::end_session))
        .route("/password/forgot", web::get().to(security::show_forgot))
        .route("/password/forgot", web::post().to(security::send_reset_code))
        .route("/password/reset", web::get().to(security::show_reset))
        .route("/password/reset", web::post().to(security::reset_password))
        .route("/auth/ticket", web::get().to(handlers::redeem_ticket))
        .route("/api/v1/wx/login", web::post().to(handlers::wx_login))
        .configure(two_factor::routes)
        .configure(phone::routes);
}
