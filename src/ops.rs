//! Operations endpoints: `/health` (process up), `/ready` (database reachable), `/metrics`.
//!
//! `/metrics` tells anyone who reads it the traffic, routes and queue of the site, so it answers
//! only a scraper holding `CAMPUS_METRICS_TOKEN` (as `Authorization: Bearer ...`) or, with no
//! token configured, a request from this machine that did not come through a proxy.

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

async fn ready(state: web::Data<WebState>) -> HttpResponse {
    match state
        .db
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
    {
        Ok(()) => HttpResponse::Ok().content_type("text/plain; charset=utf-8").body("ready"),
        Err(e) => {
            tracing::error!(error = ?e, "readiness check failed");
            HttpResponse::ServiceUnavailable().content_type("text/plain; charset=utf-8").body("database unavailable")
        }
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

async fn metrics(req: HttpRequest, state: web::Data<WebState>) -> AppResult<HttpResponse> {
    if let Some(refused) = refuse_metrics(&req, &state) {
        return refused;
    }
    let (pending, failed) = state.db.run(jobs::queue_depth).await?;
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    let pool = state.db.pool_state();
    let _ = writeln!(out, "# HELP campus_db_pool_connections Database pool connections by state.");
    let _ = writeln!(out, "# TYPE campus_db_pool_connections gauge");
    let _ = writeln!(out, "campus_db_pool_connections{{state=\"open\"}} {}", pool.connections);
    let _ = writeln!(out, "campus_db_pool_connections{{state=\"idle\"}} {}", pool.idle_connections);
    let _ = writeln!(out, "campus_db_pool_connections{{state=\"max\"}} {}", state.db.max_size());
    let _ = writeln!(out, "# HELP campus_jobs Background jobs by status.");
    let _ = writeln!(out, "# TYPE campus_jobs gauge");
    let _ = writeln!(out, "campus_jobs{{status=\"pending\"}} {pending}");
    let _ = writeln!(out, "campus_jobs{{status=\"failed\"}} {failed}");
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(out))
}
