//! Operations endpoints: `/health` (process up), `/ready` (database reachable), `/metrics`.

use std::fmt::Write as _;

use actix_web::{HttpResponse, web};

use crate::error::AppResult;
use crate::jobs;
use crate::web::WebState;

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

async fn metrics(state: web::Data<WebState>) -> AppResult<HttpResponse> {
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
