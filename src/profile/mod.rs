//! "我的": the user's own page, settings (nickname, avatar, phone, email), the message center and
//! its notification switches (stored by `notify::prefs`).
//!
//! Reads and updates the profile columns of `users`; messages go through `notify::service`.
//! `privacy`: the data export and account deletion, walking the personal-data registry
//! (`crate::privacy`).

pub mod handlers;
pub mod privacy;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(handlers::show_me))
        .route("/me/settings", web::get().to(handlers::show_settings))
        .route("/me/settings", web::post().to(handlers::save_settings))
        .route("/me/avatar", web::post().to(handlers::upload_avatar))
        .route("/me/messages", web::get().to(handlers::list_messages))
        .route("/me/messages/read-all", web::post().to(handlers::read_all_messages))
        .route("/me/messages/settings", web::get().to(handlers::show_message_settings))
        .route("/me/messages/settings", web::post().to(handlers::save_message_settings))
        .route("/me/messages/{id}/read", web::post().to(handlers::read_message))
        .route("/me/export", web::get().to(privacy::download))
        .route("/me/export.json", web::get().to(privacy::download_json))
        .route("/me/delete", web::get().to(privacy::show_delete))
        .route("/me/delete", web::post().to(privacy::delete));
}
