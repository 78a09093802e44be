//! Academic records from the school's own system (教务系统, the source of truth): the admin
//! imports them (`import`, `/admin/academic/import` and `campus import`).
//!
//! Rules: week rules ("1-8,10-16", "单周") are parsed once at import into a bitmask
//! (`weeks`); times are stored in UTC and shown in Asia/Shanghai.
//!
//! Tables: semesters, calendar_events, periods, students, teachers, courses, classrooms,
//! course_schedules, grades, exams, academic_imports.

pub mod admin;
pub mod demo;
pub mod import;
pub mod views;
pub mod weeks;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/academic/import", web::get().to(admin::show_import_form))
        .route("/admin/academic/import", web::post().to(admin::start_import))
        .route("/admin/academic/imports/{id}", web::get().to(admin::show_import));
}
