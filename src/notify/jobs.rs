//! The background job queue. Jobs are rows; a runner task on every instance claims due jobs with
//! a conditional UPDATE (so two instances never run the same job), runs them on the blocking
//! pool, and retries failures with exponential backoff until `max_attempts`.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use super::queries;
use crate::db::{self, Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::web::AppState;

pub const SEND_EMAIL: &str = "send_email";

/// How long a claimed job stays ours before another runner may take it over.
const LEASE: TimeDelta = TimeDelta::minutes(5);

pub fn enqueue(conn: &mut DbConn, kind: &str, payload: &serde_json::Value, run_at: NaiveDateTime) -> AppResult<()> {
    queries::insert_job(conn, kind, &payload.to_string(), run_at, db::now())?;
    Ok(())
}

/// Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at 1 h.
fn backoff(attempts: i32) -> TimeDelta {
    let exp = attempts.clamp(1, 8) as u32 - 1;
    TimeDelta::seconds((30i64 << exp).min(3600))
}

fn claim(conn: &mut DbConn) -> AppResult<Option<super::models::Job>> {
    let now = db::now();
    let Some(id) = queries::next_due_job(conn, now)? else {
        return Ok(None);
    };
    if queries::lock_job(conn, id, now, now + LEASE)? != 1 {
        // Another runner took it between our SELECT and UPDATE; look again next tick.
        return Ok(None);
    }
    Ok(Some(queries::job(conn, id)?))
}

fn execute(state: &AppState, conn: &mut DbConn, job: &super::models::Job) -> Result<(), String> {
    let payload: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| format!("bad payload: {e}"))?;
    match job.kind.as_str() {
        SEND_EMAIL => {
            let id = payload["outbox_id"].as_i64().ok_or("payload lacks outbox_id")?;
            let from = state.settings.get(conn).map(|v| v.mail_from).unwrap_or_else(|_| state.config.mail_from.clone());
            super::email::deliver(&state.config, &from, conn, id)
        }
        super::wechat::JOB_SEND => super::wechat::send(state, conn, &payload),
        crate::pay::JOB_CLOSE => {
            let order_no = payload["order_no"].as_str().ok_or("payload lacks order_no")?;
            crate::pay::service::close_order(state, order_no)
        }
        crate::mall::service::JOB_CANCEL_UNPAID | crate::mall::service::JOB_AUTO_COMPLETE => {
            crate::mall::service::run_job(conn, &job.kind, &payload)
        }
        other => Err(format!("unknown job kind {other}")),
    }
}

/// Runs every due job once; returns how many ran. Public so tests and `campus` tools can drain.
pub fn run_due(state: &AppState, db: &Db) -> AppResult<usize> {
    let mut ran = 0;
    let mut conn = db.get()?;
    // Keeps this instance's copy of the admin's settings fresh (cheap: cached for seconds).
    state.settings.get(&mut conn)?;
    while let Some(job) = claim(&mut conn)? {
        ran += 1;
        let now = db::now();
        match execute(state, &mut conn, &job) {
            Ok(()) => {
                queries::finish_job(&mut conn, job.id, now)?;
            }
            Err(error) => {
                tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %error, "job failed");
                let status = if job.attempts >= job.max_attempts { "failed" } else { "pending" };
                queries::retry_job(&mut conn, job.id, status, &error, now + backoff(job.attempts), now)?;
            }
        }
        if ran >= 100 {
            break;
        }
    }
    Ok(ran)
}

/// Starts the runner on the current actix system; it ends with the server.
pub fn spawn_runner(state: AppState, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let st = state.clone();
            let result = actix_web::web::block(move || run_due(&st, &st.db)).await;
            match result {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = ?e, "job runner"),
                Err(e) => tracing::error!(error = %e, "job runner thread"),
            }
        }
    });
}

/// Pending and failed job counts, for `/metrics` and the admin dashboard.
pub fn queue_depth(conn: &mut DbConn) -> Result<(i64, i64), AppError> {
    Ok((queries::count_jobs(conn, "pending")?, queries::count_jobs(conn, "failed")?))
}
