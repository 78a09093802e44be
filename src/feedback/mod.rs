//! Feedback (`/me/feedback`): a user sends a category, text and up to three screenshots; admins
//! answer in `/admin/feedback`; each answer reaches the user's messages, and either side may
//! write again in the same thread. Text is shown escaped, never as HTML.
//!
//! Screenshots are personal data: they live in the private area of the upload store (folder
//! [`FOLDER`]) and `/media/feedback/{name}` shows them only to their sender and to admins who
//! handle feedback.
//!
//! Tables: feedback, feedback_replies.

pub mod handlers;
pub mod models;
pub mod privacy;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

/// The upload folder of screenshots (private: see `web::media::PRIVATE_FOLDERS`).
pub const FOLDER: &str = "feedback";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/feedback", web::get().to(handlers::my_feedback))
        .route("/me/feedback", web::post().to(handlers::send_feedback))
        .route("/me/feedback/{id}", web::get().to(handlers::show_mine))
        .route("/me/feedback/{id}/reply", web::post().to(handlers::follow_up))
        .route("/admin/feedback", web::get().to(handlers::admin_list))
        .route("/admin/feedback/{id}", web::get().to(handlers::admin_show))
        .route("/admin/feedback/{id}/reply", web::post().to(handlers::admin_reply))
        .route("/media/feedback/{name}", web::get().to(handlers::serve_screenshot));
}
