//! Counts the statements each request sends to the database: every pooled connection carries
//! [`Counter`] (diesel's connection instrumentation), which adds each statement it starts to the
//! tally of the request it runs for. On PostgreSQL every statement is a network round trip, so
//! this is the page's real cost; the statement budget (3 signed in, 2 anonymous, DESIGN §4) is
//! checked against it by `tests/api/budget.rs`.
//!
//! A request is scoped by the [`count`] middleware; [`super::Db::run`] hands its tally to the
//! blocking thread it runs on, as it does with `acting`. Everything the request's connection runs
//! is counted: pool pings, `BEGIN`/`COMMIT`, the session check, the page's own queries. In debug
//! builds (tests) the response says how many in `x-db-statements` and which in `x-db-sql`.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::InstrumentationEvent;

/// The statements one request ran.
#[derive(Default)]
pub struct Tally {
    count: AtomicUsize,
    /// Their SQL, kept only in debug builds (the budget test names them when it fails).
    sql: Mutex<Vec<String>>,
}

impl Tally {
    pub fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn statements(&self) -> Vec<String> {
        self.sql.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn record(&self, sql: impl FnOnce() -> String) {
        self.count.fetch_add(1, Ordering::Relaxed);
        if cfg!(debug_assertions)
            && let Ok(mut list) = self.sql.lock()
        {
            list.push(sql());
        }
    }
}

tokio::task_local! {
    static REQUEST: Arc<Tally>;
}

thread_local! {
    static BLOCKING: RefCell<Option<Arc<Tally>>> = const { RefCell::new(None) };
}

/// Runs a request's future with its own tally.
pub async fn scope<F: std::future::Future>(tally: Arc<Tally>, f: F) -> F::Output {
    REQUEST.scope(tally, f).await
}

/// The tally of the work running here, if it belongs to a request.
pub fn current() -> Option<Arc<Tally>> {
    BLOCKING.with(|b| b.borrow().clone()).or_else(|| REQUEST.try_with(Arc::clone).ok())
}

/// Runs `f` on this (blocking) thread as part of the request that owns `tally`.
pub(crate) fn run_as<T>(tally: Option<Arc<Tally>>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<Tally>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            BLOCKING.with(|b| *b.borrow_mut() = previous);
        }
    }
    let _restore = Restore(BLOCKING.with(|b| b.replace(tally)));
    f()
}

/// The instrumentation every connection carries: it counts the statements for the request, and
/// remembers what the pool needs to know of the connection without asking the server (a ping on
/// every check-out was a round trip per request): whether a statement found it closed, and when
/// it last ran one.
pub struct Counter {
    /// A statement failed because the server closed the connection (a restart,
    /// `pg_terminate_backend`, a network cut): the pool drops it instead of handing it out again.
    pub closed: bool,
    pub last_used: std::time::Instant,
    /// The pool's generation this connection was last known good in ([`super::Db::run`]).
    pub checked_in: u64,
    /// The instance's reference data cache (`db::refdata`), reachable from any query function.
    pub refdata: Option<Arc<super::refdata::RefData>>,
    /// Reference data this connection changed, forgotten on this instance when it goes back to
    /// the pool (after its transaction committed).
    pub changed: Vec<super::refdata::Kind>,
}

impl Counter {
    pub fn new(generation: u64, refdata: Option<Arc<super::refdata::RefData>>) -> Counter {
        Counter {
            closed: false,
            last_used: std::time::Instant::now(),
            checked_in: generation,
            refdata,
            changed: Vec::new(),
        }
    }
}

impl diesel::connection::Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                self.last_used = std::time::Instant::now();
                if let Some(tally) = current() {
                    tally.record(|| one_line(&query.to_string()));
                }
            }
            InstrumentationEvent::FinishQuery { error: Some(error), .. } if crate::error::database_gone(error) => {
                self.closed = true
            }
            _ => {}
        }
    }
}

/// SQL on one line of visible ASCII, short enough for a header.
fn one_line(sql: &str) -> String {
    let mut out: String = sql
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .collect();
    out.truncate(400);
    out
}

/// Middleware: counts the request's statements; in debug builds the response carries the count
/// (`x-db-statements`) and the statements (`x-db-sql`, separated by ` ;; `).
pub async fn count(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let tally = Arc::new(Tally::default());
    let mut res = scope(tally.clone(), next.call(req)).await?;
    if cfg!(debug_assertions) {
        use actix_web::http::header::{HeaderName, HeaderValue};
        let headers = res.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&tally.count().to_string()) {
            headers.insert(HeaderName::from_static("x-db-statements"), v);
        }
        // Cut to 2,000 bytes: a request of many statements (a checkout runs 15) would otherwise
        // send more header than a proxy takes (nginx's 4 KiB `proxy_buffer_size` refused it
        // as "too big header", failing the debug-build cluster test).
        let mut sql = tally.statements().join(" ;; ");
        if sql.len() > 2_000 {
            let mut end = 2_000;
            while !sql.is_char_boundary(end) {
                end -= 1;
            }
            sql.truncate(end);
            sql.push_str(" ...");
        }
        if let Ok(v) = HeaderValue::from_str(&sql) {
            headers.insert(HeaderName::from_static("x-db-sql"), v);
        }
    }
    Ok(res)
}
