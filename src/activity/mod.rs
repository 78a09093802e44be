//! Campus activities (`/activities`): lectures, clubs, sports, volunteering. Students register
//! with their name, student id, phone and the organizer's own questions; each registration has a
//! check-in code shown as a QR code. Organizers (admins, or users with the organizer role)
//! publish and edit activities, see and export registrants, message them, and check them in.
//!
//! Rules: a seat is taken by one conditional `UPDATE ... SET registered = registered + 1 WHERE
//! registered < capacity`; who finds none joins the waitlist, served in id order, and a freed
//! seat passes to the first in line at once (they are told). One live registration per person
//! (a partial unique index). On PostgreSQL the activity row is locked for the seat accounting,
//! so registrations, cancellations and promotions of one activity run one after another.
//! A reminder job runs the day before the start.
//!
//! Tables: activities, activity_registrations.

pub mod demo;
pub mod handlers;
pub mod manage;
pub mod models;
pub mod organize;
pub mod privacy;
mod qr;
pub mod queries;
pub mod service;
pub mod views;

use actix_web::web;

/// Registers the day-before reminder.
pub fn register_jobs(jobs: &mut crate::jobs::Registry) {
    jobs.register(service::JOB_REMIND, |conn, payload, _| service::run_reminder(conn, payload));
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/activities", web::get().to(handlers::list_activities))
        .route("/activities/mine", web::get().to(handlers::my_activities))
        .route("/activities/manage", web::get().to(manage::manage))
        .route("/activities/new", web::get().to(manage::show_new))
        .route("/activities/new", web::post().to(manage::create))
        .route("/activities/{id}", web::get().to(handlers::show_activity))
        .route("/activities/{id}/register", web::get().to(handlers::show_register))
        .route("/activities/{id}/register", web::post().to(handlers::register))
        .route("/activities/{id}/open", web::post().to(manage::set_open_to_all))
        .route("/activities/{id}/cancel", web::post().to(handlers::cancel_registration))
        .route("/activities/{id}/ticket", web::get().to(handlers::show_ticket))
        .route("/activities/{id}/ticket.svg", web::get().to(handlers::ticket_svg))
        .route("/activities/{id}/edit", web::get().to(manage::show_edit))
        .route("/activities/{id}/edit", web::post().to(manage::update))
        .route("/activities/{id}/registrants", web::get().to(manage::registrants))
        .route("/activities/{id}/registrants.csv", web::get().to(manage::export_csv))
        .route("/activities/{id}/registrants.xlsx", web::get().to(manage::export_xlsx))
        .route("/activities/{id}/message", web::post().to(manage::message_all))
        .route("/activities/{id}/checkin", web::get().to(manage::show_checkin))
        .route("/activities/{id}/checkin", web::post().to(manage::check_in));
}
