//! Academic records from the school's own system (教务系统, the source of truth): the admin
//! imports them (`import`, `/admin/academic/import` and `campus import`), students read their
//! own — the week's timetable, grades with GPA, upcoming exams, the record card — and everyone
//! the calendar (校历). A user reaches their records through `users.student_no`, linked by the
//! student with their student number and the last six characters of their ID number.
//!
//! Rules: week rules ("1-8,10-16", "单周") are parsed once at import into a bitmask
//! (`weeks`); the score → grade point table lives in `gpa`; times are stored in UTC and
//! shown in Asia/Shanghai; nobody sees another student's records (pages take no student id).
//!
//! Tables: semesters, calendar_events, periods, students, teachers, courses, classrooms,
//! course_schedules, grades, exams, academic_imports, calendar_feeds, classroom_bookings,
//! classroom_booking_slots, campus_contacts, evaluations, schedule_entries (a student's own
//! entries, `entries`), grades_seen (what she last saw of her grades, `seen`).
//!
//! The 校历's holidays and make-up days (调休) decide which timetable a date keeps (`days`):
//! the grid, the today card (`today`), the feed and the free-room finder all ask there.

pub mod admin;
pub mod alerts;
pub mod contacts;
pub mod days;
pub mod demo;
pub mod entries;
pub mod evaluation;
pub mod feed;
pub mod gpa;
pub mod grid;
pub mod handlers;
pub mod import;
pub mod models;
pub mod planner;
pub mod privacy;
pub mod queries;
pub mod rooms;
pub mod seen;
pub mod service;
pub mod teaching;
pub mod today;
pub mod transcript;
pub mod views;
pub mod weeks;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/academic/schedule", web::get().to(handlers::show_schedule))
        .route("/academic/schedule/entries/new", web::get().to(entries::new_entry))
        .route("/academic/schedule/entries", web::post().to(entries::create))
        .route("/academic/schedule/entries/{id}/edit", web::get().to(entries::edit_form))
        .route("/academic/schedule/entries/{id}", web::post().to(entries::update))
        .route("/academic/schedule/entries/{id}/delete", web::post().to(entries::delete))
        .route("/academic/gpa", web::get().to(planner::show))
        .route("/academic/gpa", web::post().to(planner::submit))
        .route("/academic/grades", web::get().to(handlers::show_grades))
        .route("/academic/transcript.pdf", web::get().to(handlers::transcript_pdf))
        .route("/academic/transcript.xlsx", web::get().to(handlers::transcript_xlsx))
        .route("/academic/exams", web::get().to(handlers::show_exams))
        .route("/academic/student-info", web::get().to(handlers::show_student_info))
        .route("/academic/calendar", web::get().to(handlers::show_calendar))
        .route("/academic/link", web::post().to(handlers::link_student))
        .route("/academic/schedule.ics", web::get().to(handlers::schedule_feed))
        .route("/academic/schedule.ics/token", web::post().to(handlers::new_feed_token))
        .route("/academic/evaluation", web::get().to(evaluation::show))
        .route("/academic/teacher-schedule", web::get().to(teaching::handlers::show_schedule))
        .route("/academic/teaching", web::get().to(teaching::handlers::show_courses))
        .route("/academic/teaching/{course}", web::get().to(teaching::handlers::show_roster))
        .route("/academic/teaching/{course}/grades", web::post().to(teaching::handlers::save_grades))
        .route("/academic/contacts", web::get().to(contacts::show))
        .route("/academic/classrooms", web::get().to(rooms::handlers::show_finder))
        .route("/academic/bookings", web::get().to(rooms::handlers::show_mine))
        .route("/academic/bookings", web::post().to(rooms::handlers::request))
        .route("/academic/bookings/{id}/cancel", web::post().to(rooms::handlers::cancel))
        .route("/admin/academic/bookings", web::get().to(rooms::admin::show))
        .route("/admin/academic/bookings/{id}/approve", web::post().to(rooms::admin::approve))
        .route("/admin/academic/bookings/{id}/reject", web::post().to(rooms::admin::reject))
        .route("/admin/academic/import", web::get().to(admin::show_import_form))
        .route("/admin/academic/import", web::post().to(admin::start_import))
        .route("/admin/academic/imports/{id}", web::get().to(admin::show_import));
}
