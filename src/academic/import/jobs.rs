//! An admin's import run as the page shows it: recorded in `academic_imports`, advanced by the
//! background task, polled by htmx until it is done.

use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::{Kind, Plan, Report, RowError, execute};
use crate::db::schema::academic_imports;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::tabular;

pub use crate::tabular::RUNNING;
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = academic_imports)]
pub struct ImportJob {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub file_name: String,
    pub dry_run: bool,
    pub status: String,
    pub total_rows: i64,
    pub done_rows: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub errors: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl ImportJob {
    pub fn running(&self) -> bool {
        tabular::running(&self.status, self.updated_at)
    }

    /// Still marked running, but nothing happened for a long while: the server stopped.
    pub fn stale(&self) -> bool {
        tabular::stale(&self.status, self.updated_at)
    }

    pub fn percent(&self) -> i64 {
        tabular::percent(self.done_rows, self.total_rows)
    }

    pub fn kind_label(&self) -> &'static str {
        Kind::parse(&self.kind).map_or("未知", Kind::label)
    }

    /// The refused rows, by line.
    pub fn error_rows(&self) -> Vec<RowError> {
        serde_json::from_str(&self.errors).unwrap_or_default()
    }
}

/// Records a new run of `plan`; its refused rows are saved with it.
pub fn start(conn: &mut DbConn, user: i64, file_name: &str, plan: &Plan, dry: bool) -> AppResult<i64> {
    let now = db::now();
    let name: String = file_name.chars().take(100).collect();
    let errors = serde_json::to_string(&plan.errors).map_err(AppError::internal)?;
    let values = (
        academic_imports::user_id.eq(user),
        academic_imports::kind.eq(plan.kind.as_str()),
        academic_imports::file_name.eq(&name),
        academic_imports::dry_run.eq(dry),
        academic_imports::status.eq(RUNNING),
        academic_imports::total_rows.eq(plan.rows as i64),
        academic_imports::done_rows.eq(plan.errors.len() as i64),
        academic_imports::errors.eq(&errors),
        academic_imports::created_at.eq(now),
        academic_imports::updated_at.eq(now),
    );
    Ok(crate::on_backend!(conn, |c| diesel::insert_into(academic_imports::table)
        .values(values)
        .returning(academic_imports::id)
        .get_result(c))?)
}

pub fn find(conn: &mut DbConn, id: i64) -> AppResult<ImportJob> {
    academic_imports::table.find(id).select(ImportJob::as_select()).first(conn).optional()?.ok_or(AppError::NotFound)
}

pub fn recent(conn: &mut DbConn) -> AppResult<Vec<ImportJob>> {
    Ok(academic_imports::table
        .order(academic_imports::id.desc())
        .limit(10)
        .select(ImportJob::as_select())
        .load(conn)?)
}

/// Runs the plan for job `id`, writing progress at most every quarter second and the report
/// at the end; a failure marks the job failed (what was saved before stays saved).
pub fn run(conn: &mut DbConn, id: i64, plan: Plan, dry: bool) -> AppResult<Report> {
    let mut reported = Instant::now();
    let mut progress = |conn: &mut DbConn, done: usize, _total: usize| -> AppResult<()> {
        if reported.elapsed() > Duration::from_millis(250) {
            diesel::update(academic_imports::table.find(id))
                .set((academic_imports::done_rows.eq(done as i64), academic_imports::updated_at.eq(db::now())))
                .execute(conn)?;
            reported = Instant::now();
        }
        Ok(())
    };
    match execute(conn, plan, dry, &mut progress) {
        Ok(report) => {
            let errors = serde_json::to_string(&report.errors).map_err(AppError::internal)?;
            diesel::update(academic_imports::table.find(id))
                .set((
                    academic_imports::status.eq(DONE),
                    academic_imports::done_rows.eq(academic_imports::total_rows),
                    academic_imports::created.eq(report.created),
                    academic_imports::updated.eq(report.updated),
                    academic_imports::unchanged.eq(report.unchanged),
                    academic_imports::errors.eq(errors),
                    academic_imports::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            Ok(report)
        }
        Err(e) => {
            let errors = serde_json::to_string(&[(0, "", "导入中断，已保存的行保留")]).map_err(AppError::internal)?;
            diesel::update(academic_imports::table.find(id))
                .set((
                    academic_imports::status.eq(FAILED),
                    academic_imports::errors.eq(errors),
                    academic_imports::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            Err(e)
        }
    }
}
