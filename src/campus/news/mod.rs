//! Campus news: a feed by category (keyset paging, htmx infinite scroll), articles, and the
//! admin editor whose HTML goes through [`sanitize::clean`] before it is stored.

pub mod handlers;
pub mod models;
pub mod queries;
pub mod sanitize;
pub mod service;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/campus/news", web::get().to(handlers::list_news))
        .route("/campus/news/{id}", web::get().to(handlers::show_article))
        .route("/admin/news", web::get().to(handlers::admin_list))
        .route("/admin/news/new", web::get().to(handlers::show_new))
        .route("/admin/news/new", web::post().to(handlers::create))
        .route("/admin/news/images", web::post().to(handlers::upload_image))
        .route("/admin/news/{id}/edit", web::get().to(handlers::show_edit))
        .route("/admin/news/{id}/edit", web::post().to(handlers::update));
}
