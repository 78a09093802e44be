//! Reminders before a class, an exam or an activity one signed up for, and the page where a
//! student sets them (`/me/reminders`: per purpose how long before and by which channels, the
//! WeChat messages left per purpose with a 补充次数 button, quiet hours).
//!
//! The job runner sends them: the recurring job `reminders.scan` (every minute, on whichever
//! instance claims it) finds what is due and decides each reminder in one transaction that
//! first inserts its row in `reminder_log` — the idempotency key `occurrence` (purpose and
//! meeting) is unique per user, so however many scans run at once on however many instances,
//! one inserts and sends, the others insert nothing and move on. A reminder due in the user's
//! quiet hours is recorded as skipped; a WeChat reminder with no acceptance left (one-time
//! subscriptions are counted per template, `notify::wechat`) is recorded as skipped too.
//!
//! Class meetings come from `academic::service::class_meetings`, exams from
//! `academic::service::upcoming_exams`, activities from `activity::service::mine`.
//! Settings: `notify::reminders` and `notify::prefs` (quiet hours). Table: reminder_log.

pub mod handlers;
pub mod privacy;
pub mod queries;
pub mod service;
pub mod views;

use std::sync::Arc;

use actix_web::web;

use crate::config::Config;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/reminders", web::get().to(handlers::show_reminders))
        .route("/me/reminders", web::post().to(handlers::save_reminders));
}

/// Registers the scan; it books its own next run.
pub fn register_jobs(jobs: &mut crate::jobs::Registry, config: Arc<Config>) {
    jobs.register(service::JOB_SCAN, move |conn, _, _| service::run_scan(conn, &config.wx.templates));
}
