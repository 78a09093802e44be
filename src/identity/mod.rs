//! 学籍认证: a student (or teacher) proves who they are, and the account is linked to exactly one
//! school number and marked verified (which, for students, opens selling on the second-hand market
//! and fills the academic pages). Three ways, in this order on `/me/verify`:
//! 1. campus email — a 6-digit code mailed to `学号@CAMPUS_SCHOOL_MAIL_DOMAIN` (`auth::codes`:
//!    10 minutes, 5 tries, hashed, used once);
//! 2. roster match — student number + name + last six of the ID number against the roster the
//!    academic import loaded (`academic::service::link_student`; only a keyed hash of the fragment
//!    is stored); teachers have no such secret in the staff roster, so not for them;
//! 3. manual review — a photo of the student card, queued for admins at `/admin/verifications`
//!    (approve, or reject with a reason; the photo is deleted once decided).
//!
//! The one-number rule is the unique index on `users.student_no` (`auth::service::link_student`);
//! a refused claim tells the holder. Admins remove a verification (audit-logged) to rebind.
//! Tables: `identity_reviews` (and `one_time_codes`, owned by `auth`).

pub mod admin;
pub mod demo;
pub mod handlers;
pub mod models;
pub mod privacy;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

use crate::web::storage::{Area, Storage};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/verify", web::get().to(handlers::show_verify))
        .route("/me/verify/email/send", web::post().to(handlers::send_code))
        .route("/me/verify/email/check", web::post().to(handlers::confirm_code))
        .route("/me/verify/roster", web::post().to(handlers::roster_match))
        .route("/me/verify/photo", web::post().to(handlers::submit_photo))
        .route("/admin/verifications", web::get().to(admin::show_queue))
        .route("/admin/verifications/unverify", web::post().to(admin::unverify))
        .route("/admin/verifications/{id}/photo", web::get().to(admin::show_photo))
        .route("/admin/verifications/{id}/approve", web::post().to(admin::approve))
        .route("/admin/verifications/{id}/reject", web::post().to(admin::reject));
}

/// Student-card photos wait for their review in the private area of the upload store (never
/// served at `/media/...`), under this folder.
pub const PHOTO_FOLDER: &str = "student-cards";

/// Deletes student-card photos (after a decision, or with the account); a file already gone is
/// fine. Blocking: call it inside `web::block`.
pub fn delete_photos(storage: &Storage, files: &[String]) {
    for file in files.iter().filter(|f| !f.contains('/') && !f.contains("..")) {
        if let Err(e) = storage.delete_blocking(Area::Private, &format!("{PHOTO_FOLDER}/{file}")) {
            tracing::warn!(error = ?e, "student-card photo {file} not deleted");
        }
    }
}
