//! The campus map: one image, points of interest placed on it, a list, a detail panel.

pub mod handlers;
pub mod models;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/campus/map", web::get().to(handlers::show_map))
        .route("/admin/map", web::get().to(handlers::admin_map))
        .route("/admin/map/image", web::post().to(handlers::upload_map))
        .route("/admin/map/pois", web::post().to(handlers::save_poi))
        .route("/admin/map/pois/{id}/delete", web::post().to(handlers::delete_poi));
}
