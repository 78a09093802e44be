//! The background job queue. Jobs are rows of `jobs`; a runner task on every instance claims due
//! jobs with a conditional UPDATE (so two instances never run the same job), runs them on the
//! blocking pool, and retries failures with exponential backoff until `max_attempts`.
//!
//! A claim is a lease (`locked_until`, `CAMPUS_JOB_LEASE_SECS`, 5 minutes by default): while the
//! handler runs, the runner renews it every third of its length, so a live runner keeps its job
//! however long it takes; a runner that dies stops renewing, and once the lease has run out
//! another instance claims the job again. Each claim adds one to `attempts`, which fences the
//! claim: a runner finishes (or renews) its job only while `attempts` is still the number its own
//! claim set, so a runner that lost its lease cannot mark done a job someone else now holds.
//! A job's database effects happen in its handler's own transactions, which die with the process
//! that dies; handlers keep their effects idempotent (conditional updates), so a job run again
//! after a crash between its effect and its finish still counts once.
//!
//! The queue knows job kinds only as strings. Each module registers the handlers of its own kinds
//! in a [`Registry`] when the app is built (`app.rs`); a job of a kind nobody registered is logged
//! and retried like any failure, so a half-deployed cluster does not lose it.

mod queries;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::jobs;
use crate::db::{self, Db, DbConn};
use crate::error::{AppError, AppResult};

/// How long a claimed job stays ours, unrenewed, before another runner may take it over.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(300);

/// A claimed job.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub max_attempts: i32,
}

impl Job {
    /// Whether a failure now is the last one (no retry follows).
    pub fn is_last_attempt(&self) -> bool {
        self.attempts >= self.max_attempts
    }
}

/// What a job handler gets: a pooled connection, the decoded payload and the job itself.
pub type Handler = dyn Fn(&mut DbConn, &serde_json::Value, &Job) -> Result<(), String> + Send + Sync;

/// Something to do on every runner tick before the jobs (refresh a cache, say).
pub type Tick = dyn Fn(&mut DbConn) -> AppResult<()> + Send + Sync;

/// The handlers of every job kind, filled in by the modules while the app is built, the lease
/// its runner claims jobs for, and what it has run (for `/metrics`).
pub struct Registry {
    handlers: HashMap<&'static str, Arc<Handler>>,
    ticks: Vec<Arc<Tick>>,
    lease: Duration,
    succeeded: AtomicU64,
    failed: AtomicU64,
}

impl Default for Registry {
    fn default() -> Registry {
        Registry {
            handlers: HashMap::new(),
            ticks: Vec::new(),
            lease: DEFAULT_LEASE,
            succeeded: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }
}

impl Registry {
    /// Sets the lease of every claim (`CAMPUS_JOB_LEASE_SECS`).
    pub fn set_lease(&mut self, lease: Duration) -> &mut Self {
        self.lease = lease.max(Duration::from_millis(100));
        self
    }

    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// Job runs of this instance since it started: (succeeded, failed).
    pub fn outcomes(&self) -> (u64, u64) {
        (self.succeeded.load(Ordering::Relaxed), self.failed.load(Ordering::Relaxed))
    }

    /// Registers the handler of `kind`; a kind is registered once (a second registration is a
    /// programming error and replaces the first, logged).
    pub fn register(
        &mut self,
        kind: &'static str,
        handler: impl Fn(&mut DbConn, &serde_json::Value, &Job) -> Result<(), String> + Send + Sync + 'static,
    ) -> &mut Self {
        if self.handlers.insert(kind, Arc::new(handler)).is_some() {
            tracing::error!(kind, "job kind registered twice");
        }
        self
    }

    /// Runs `tick` at the start of every runner pass.
    pub fn every_tick(&mut self, tick: impl Fn(&mut DbConn) -> AppResult<()> + Send + Sync + 'static) -> &mut Self {
        self.ticks.push(Arc::new(tick));
        self
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    fn execute(&self, conn: &mut DbConn, job: &Job) -> Result<(), String> {
        let payload: serde_json::Value = serde_json::from_str(&job.payload).map_err(|e| format!("bad payload: {e}"))?;
        match self.handlers.get(job.kind.as_str()) {
            Some(handler) => handler(conn, &payload, job),
            None => Err(format!("unknown job kind {}", job.kind)),
        }
    }
}

/// Queues a job of `kind` to run at `run_at` (with the table's default number of attempts).
pub fn enqueue(conn: &mut DbConn, kind: &str, payload: &serde_json::Value, run_at: NaiveDateTime) -> AppResult<()> {
    queries::insert_job(conn, kind, &payload.to_string(), run_at, None, db::now())?;
    Ok(())
}

/// Queues a job that may run up to `max_attempts` times (for work worth trying longer than the
/// default, with the backoff growing to an hour between attempts).
pub fn enqueue_with_attempts(
    conn: &mut DbConn,
    kind: &str,
    payload: &serde_json::Value,
    run_at: NaiveDateTime,
    max_attempts: i32,
) -> AppResult<()> {
    queries::insert_job(conn, kind, &payload.to_string(), run_at, Some(max_attempts), db::now())?;
    Ok(())
}

/// Whether a job of `kind` is queued and not being run right now: a recurring job books its
/// next run unless one is already booked.
pub fn is_waiting(conn: &mut DbConn, kind: &str) -> AppResult<bool> {
    Ok(queries::kind_waiting(conn, kind, db::now())?)
}

/// Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, … capped at 1 h.
fn backoff(attempts: i32) -> TimeDelta {
    let exp = attempts.clamp(1, 8) as u32 - 1;
    TimeDelta::seconds((30i64 << exp).min(3600))
}

fn lease_delta(lease: Duration) -> TimeDelta {
    TimeDelta::from_std(lease).unwrap_or(TimeDelta::minutes(5))
}

/// Claims the next due job that nobody holds for `lease`; `None` when there is none (or another
/// runner took it between our look and our claim: we look again next tick).
pub fn claim(conn: &mut DbConn, lease: Duration) -> AppResult<Option<Job>> {
    let now = db::now();
    let Some(id) = queries::next_due_job(conn, now)? else {
        return Ok(None);
    };
    if queries::lock_job(conn, id, now, now + lease_delta(lease))? != 1 {
        return Ok(None);
    }
    Ok(Some(queries::job(conn, id)?))
}

/// Extends the lease of a job we hold; `false` when it is no longer ours.
pub fn renew(conn: &mut DbConn, job: &Job, lease: Duration) -> AppResult<bool> {
    let now = db::now();
    Ok(queries::renew_job(conn, job.id, job.attempts, now + lease_delta(lease), now)? == 1)
}

/// Records how the run of a claimed job went: done, or back in the queue after a backoff (failed
/// for good after the last attempt). `false` when the lease was lost to another runner meanwhile,
/// and then nothing is written.
pub fn finish(conn: &mut DbConn, job: &Job, outcome: Result<(), String>) -> AppResult<bool> {
    let now = db::now();
    let written = match outcome {
        Ok(()) => queries::finish_job(conn, job.id, job.attempts, now)?,
        Err(error) => {
            tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, error = %error, "job failed");
            let status = if job.is_last_attempt() { "failed" } else { "pending" };
            queries::retry_job(conn, job.id, job.attempts, status, &error, now + backoff(job.attempts), now)?
        }
    };
    if written != 1 {
        tracing::warn!(job = job.id, kind = %job.kind, "job lease lost before it finished; its new holder decides");
    }
    Ok(written == 1)
}

/// Runs `job`'s handler, renewing its lease from another thread (with its own connection, taken
/// only when a renewal is due) until the handler returns.
fn execute_leased(registry: &Registry, db: &Db, conn: &mut DbConn, job: &Job) -> Result<(), String> {
    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let every = registry.lease / 3;
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(every) {
                let renewed = db.get().and_then(|mut c| renew(&mut c, job, registry.lease));
                match renewed {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(job = job.id, error = ?e, "job lease not renewed"),
                }
            }
        });
        let outcome = registry.execute(conn, job);
        drop(done);
        outcome
    })
}

/// Runs every due job once; returns how many ran. Public so tests and `campus` tools can drain.
pub fn run_due(registry: &Registry, db: &Db) -> AppResult<usize> {
    let mut ran = 0;
    let mut conn = db.get()?;
    for tick in &registry.ticks {
        tick(&mut conn)?;
    }
    while let Some(job) = claim(&mut conn, registry.lease)? {
        ran += 1;
        let outcome = execute_leased(registry, db, &mut conn, &job);
        let counter = if outcome.is_ok() { &registry.succeeded } else { &registry.failed };
        counter.fetch_add(1, Ordering::Relaxed);
        finish(&mut conn, &job, outcome)?;
        if ran >= 100 {
            break;
        }
    }
    Ok(ran)
}

/// Starts the runner on the current actix system; it ends with the server.
pub fn spawn_runner(registry: Arc<Registry>, db: Db, every: Duration) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(every);
        loop {
            tick.tick().await;
            let (registry, db) = (registry.clone(), db.clone());
            let result = actix_web::web::block(move || run_due(&registry, &db)).await;
            match result {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::error!(error = ?e, "job runner"),
                Err(e) => tracing::error!(error = %e, "job runner thread"),
            }
        }
    });
}

/// Jobs due now that no runner holds: the backlog.
pub fn due_now(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(queries::count_due(conn, db::now())?)
}

/// Pending and failed job counts, for `/metrics` and the admin dashboard.
pub fn queue_depth(conn: &mut DbConn) -> Result<(i64, i64), AppError> {
    Ok((queries::count_jobs(conn, "pending")?, queries::count_jobs(conn, "failed")?))
}
