//! The admin back office (`/admin`, role admin, each route under one permission of the admin's
//! admin roles, see `web::perm`): dashboard, users (roles, admin roles, ban, two-factor reset), the
//! sensitive-word list, the audit log, refunds stuck at the payment provider. Merchant review
//! lives in `merchant`, second-hand moderation in `market`. Every admin action is written to the
//! audit log.

pub mod handlers;
pub mod mall;
pub mod moderation;
pub mod queries;
pub mod refunds;
pub mod service;
pub mod settings;
pub mod staff;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(handlers::dashboard))
        .route("/admin/users", web::get().to(handlers::list_users))
        .route("/admin/users/{id}", web::get().to(staff::show_user))
        .route("/admin/users/{id}/roles", web::post().to(handlers::set_roles))
        .route("/admin/users/{id}/admin-roles", web::post().to(staff::set_admin_roles))
        .route("/admin/users/{id}/2fa/reset", web::post().to(staff::reset_two_factor))
        .route("/admin/users/{id}/ban", web::post().to(handlers::ban))
        .route("/admin/users/{id}/unban", web::post().to(handlers::unban))
        .route("/admin/words", web::get().to(handlers::list_words))
        .route("/admin/words", web::post().to(handlers::add_word))
        .route("/admin/words/{id}/delete", web::post().to(handlers::delete_word))
        .route("/admin/audit", web::get().to(handlers::audit_log))
        .route("/admin/settings", web::get().to(settings::show))
        .route("/admin/settings", web::post().to(settings::save))
        .route("/admin/settings/pickup-points", web::post().to(settings::add_point))
        .route("/admin/settings/pickup-points/{id}/active", web::post().to(settings::toggle_point))
        .route("/admin/mall", web::get().to(mall::show))
        .route("/admin/mall/categories", web::post().to(mall::save_category))
        .route("/admin/mall/banners", web::post().to(mall::add_banner))
        .route("/admin/mall/banners/{id}/active", web::post().to(mall::toggle_banner))
        .route("/admin/mall/products/{id}/takedown", web::post().to(mall::take_down))
        .route("/admin/moderation", web::get().to(moderation::show))
        .route("/admin/moderation/{id}/approve", web::post().to(moderation::approve))
        .route("/admin/moderation/{id}/hide", web::post().to(moderation::hide_flagged))
        .route("/admin/moderation/{id}/ban", web::post().to(moderation::ban_author))
        .route("/admin/refunds", web::get().to(refunds::show))
        .route("/admin/refunds/{id}/retry", web::post().to(refunds::retry))
        .route("/admin/refunds/{id}/offline", web::post().to(refunds::mark_offline));
}
