//! The admin back office (`/admin`, role admin). So far: the dashboard with the numbers an
//! admin checks first and the latest audit log entries.

pub mod queries;

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::audit::{self, AuditEntry};
use crate::error::AppResult;
use crate::notify::jobs;
use crate::web::filters;
use crate::web::page::{Page, RequireAdmin};
use crate::web::{AppState, render};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(show_dashboard));
}

pub struct Stats {
    pub users: i64,
    pub new_users_7d: i64,
    pub banned: i64,
    pub jobs_pending: i64,
    pub jobs_failed: i64,
    pub emails_queued: i64,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct DashboardPage {
    page: Page,
    stats: Stats,
    audit: Vec<AuditEntry>,
}

async fn show_dashboard(state: web::Data<AppState>, _admin: RequireAdmin, page: Page) -> AppResult<HttpResponse> {
    let (stats, audit) = state
        .db
        .run(|conn| {
            let (jobs_pending, jobs_failed) = jobs::queue_depth(conn)?;
            let stats = queries::stats(conn, jobs_pending, jobs_failed)?;
            Ok((stats, audit::recent(conn, 20)?))
        })
        .await?;
    render(&DashboardPage { page, stats, audit })
}
