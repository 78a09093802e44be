//! Operations: the endpoints `/health` (process up), `/ready` (database and Redis reachable, not
//! draining before a stop, search index caught up), `/metrics`,
//! and the `campus backup` / `campus restore` commands ([`backup`], [`restore`], [`manifest`]).
//!
//! `/metrics` tells anyone who reads it the traffic, routes and queue of the site, so it answers
//! only a scraper holding `CAMPUS_METRICS_TOKEN` (as `Authorization: Bearer ...`) or, with no
//! token configured, a request from this machine that did not come through a proxy.

pub mod backup;
pub mod manifest;
pub mod restore;

use std::fmt::Write as _;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;

use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::web::{WebState, is_proxied, token_hash};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health))
        .route("/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics));
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ok")
}

/// What `/ready` checks: the database answers, and Redis when the instance uses it (sessions
/// and login limits live there; without it no one can sign in). `Err` names what is down.
async fn readiness(state: &WebState) -> Result<(), &'static str> {
    let db = state
        .db
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await;
    if let Err(e) = db {
        tracing::error!(error = ?e, "readiness check failed: database");
        return Err("database unavailable");
    }
    if let Some(redis) = state.redis.get() {
        let mut conn = redis.clone();
        if let Err(e) = redis::cmd("PING").query_async::<String>(&mut conn).await {
            tracing::error!(error = %e, "readiness check failed: redis");
            return Err("redis unavailable");
        }
    }
    Ok(())
}

async fn ready(state: web::Data<WebState>) -> HttpResponse {
    let checked = match state.readiness.holding_back() {
        Some(why) => Err(why),
        None => readiness(&state).await,
    };
    match checked {
        Ok(()) => HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ready"),
        Err(why) => HttpResponse::ServiceUnavailable().content_type("text/plain; charset=utf-8").body(why),
    }
}

/// `None` when the request may read the metrics, else the answer it gets.
fn refuse_metrics(req: &HttpRequest, state: &WebState) -> Option<AppResult<HttpResponse>> {
    match &state.config.metrics_token {
        Some(token) => {
            let presented = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            // Compared as hashes: the time taken says nothing about the token.
            let ok = presented.is_some_and(|p| token_hash(p) == token_hash(token.expose_secret()));
            (!ok).then(|| {
                Ok(HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
                    .content_type("text/plain; charset=utf-8")
                    .body("需要有效的监控令牌（Authorization: Bearer）"))
            })
        }
        None => {
            let local = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
            (!local || is_proxied(req)).then_some(Err(AppError::NotFound))
        }
    }
}

async fn metrics(
    req: HttpRequest,
    state: web::Data<WebState>,
    registry: web::Data<jobs::Registry>,
) -> AppResult<HttpResponse> {
    if let Some(refused) = refuse_metrics(&req, &state) {
        return refused;
    }
    let ready = readiness(&state).await.is_ok();
    // With the database down the queue cannot be counted; the gauges then say nothing rather than 0.
    let queue =
        if ready { state.db.run(|conn| Ok((jobs::queue_depth(conn)?, jobs::due_now(conn)?))).await.ok() } else { None };
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    let pool = state.db.pool_state();
    let _ = writeln!(out, "# HELP campus_ready 1 when this instance can serve (database, and Redis if used).");
    let _ = writeln!(out, "# TYPE campus_ready gauge");
    let _ = writeln!(out, "campus_ready {}", u8::from(ready));
    let _ = writeln!(out, "# HELP campus_db_pool_connections Database pool connections by state.");
    let _ = writeln!(out, "# TYPE campus_db_pool_connections gauge");
    let _ = writeln!(out, "campus_db_pool_connections{{state=\"open\"}} {}", pool.connections);
    let _ = writeln!(out, "campus_db_pool_connections{{state=\"idle\"}} {}", pool.idle_connections);
    let _ = writeln!(
        out,
        "campus_db_pool_connections{{state=\"in_use\"}} {}",
        pool.connections.saturating_sub(pool.idle_connections)
    );
    let _ = writeln!(out, "campus_db_pool_connections{{state=\"max\"}} {}", state.db.max_size());
    if let Some(((pending, failed), due)) = queue {
        let _ = writeln!(out, "# HELP campus_jobs Background jobs by status (due: pending, its time come, unclaimed).");
        let _ = writeln!(out, "# TYPE campus_jobs gauge");
        let _ = writeln!(out, "campus_jobs{{status=\"pending\"}} {pending}");
        let _ = writeln!(out, "campus_jobs{{status=\"due\"}} {due}");
        let _ = writeln!(out, "campus_jobs{{status=\"failed\"}} {failed}");
    }
    let (succeeded, failed_runs) = registry.outcomes();
    let _ = writeln!(out, "# HELP campus_job_runs_total Job runs on this instance by outcome.");
    let _ = writeln!(out, "# TYPE campus_job_runs_total counter");
    let _ = writeln!(out, "campus_job_runs_total{{outcome=\"ok\"}} {succeeded}");
    let _ = writeln!(out, "campus_job_runs_total{{outcome=\"failed\"}} {failed_runs}");
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(out))
}
