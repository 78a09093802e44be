//! The second-hand market (`/mall/second-hand`): verified students post items, buyers reach the
//! seller through an in-app message thread (never a phone number), anyone can report an item,
//! admins take reported items down.
//!
//! Tables: second_hand_items, second_hand_reports (one per reporter and item), chat_threads
//! (one per item and buyer), chat_messages.

pub mod handlers;
pub mod models;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/mall/second-hand", web::get().to(handlers::list_items))
        .route("/mall/second-hand/new", web::get().to(handlers::show_new_item))
        .route("/mall/second-hand/new", web::post().to(handlers::post_item))
        .route("/mall/second-hand/threads/{id}", web::get().to(handlers::show_thread))
        .route("/mall/second-hand/threads/{id}", web::post().to(handlers::send_message))
        .route("/mall/second-hand/{id}", web::get().to(handlers::show_item))
        .route("/mall/second-hand/{id}/sold", web::post().to(handlers::mark_sold))
        .route("/mall/second-hand/{id}/down", web::post().to(handlers::take_down))
        .route("/mall/second-hand/{id}/report", web::post().to(handlers::report_item))
        .route("/mall/second-hand/{id}/contact", web::post().to(handlers::contact_seller))
        .route("/admin/second-hand", web::get().to(handlers::admin_list))
        .route("/admin/second-hand/{id}/remove", web::post().to(handlers::admin_remove))
        .route("/admin/second-hand/{id}/dismiss", web::post().to(handlers::admin_dismiss))
        .route("/admin/second-hand/{id}/ban-author", web::post().to(handlers::admin_ban_author));
}
