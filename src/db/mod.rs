//! The database layer: one `DbConn` over SQLite and PostgreSQL, chosen from `DATABASE_URL`.
//!
//! Every SQLite connection gets WAL, foreign keys and a busy timeout. Blocking diesel calls never
//! run on the async executor: handlers go through [`Db::run`], which borrows a pooled connection
//! on the blocking thread pool. Services that write open their transaction with [`write_tx`],
//! which starts SQLite transactions with `BEGIN IMMEDIATE` (a plain `BEGIN` that later upgrades to
//! a write fails with "database is locked" under concurrency instead of waiting).

pub mod acting;
pub mod any_of;
pub mod counting;
pub mod refdata;
pub mod reseal;
pub mod schema;
pub mod sealed;

use std::time::Duration;

use diesel::Connection;
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs the same expression against whichever backend `conn` holds, for the few statements
/// `MultiConnection` cannot express (`RETURNING`, upserts, batch inserts).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Picks the backend from the URL's scheme and gives the string each driver wants.
pub fn parse_url(url: &str) -> anyhow::Result<(Backend, String)> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok((Backend::Sqlite, path.to_string()))
    } else if let Some(path) = url.strip_prefix("sqlite:") {
        Ok((Backend::Sqlite, path.to_string()))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else {
        anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
    }
}

/// An r2d2 manager that keeps the real connection error (diesel's own manager hides it).
#[derive(Debug)]
pub struct ConnManager {
    backend: Backend,
    target: String,
    /// Moves on whenever a connection is found closed by the server: every other pooled
    /// connection is then pinged once before its next use (see [`Db::checkout`]).
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The instance's reference data cache, carried by each of its connections.
    refdata: Option<std::sync::Arc<refdata::RefData>>,
}

impl ConnManager {
    fn new(backend: Backend, target: String) -> ConnManager {
        ConnManager { backend, target, generation: Default::default(), refdata: None }
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The connection's own record of its health, kept by its instrumentation.
fn counter(conn: &mut DbConn) -> Option<&mut counting::Counter> {
    conn.instrumentation().downcast_mut::<counting::Counter>()
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnError(String);

impl ManageConnection for ConnManager {
    type Connection = DbConn;
    type Error = ConnError;

    fn connect(&self) -> Result<DbConn, ConnError> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)
                    .map_err(|e| ConnError(format!("sqlite {}: {e}", self.target)))?;
                conn.set_instrumentation(counting::Counter::new(self.generation(), self.refdata.clone()));
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(|e| ConnError(format!("sqlite pragmas: {e}")))?;
                Ok(DbConn::Sqlite(conn))
            }
            Backend::Postgres => {
                let mut conn =
                    PgConnection::establish(&self.target).map_err(|e| ConnError(format!("postgres: {e}")))?;
                conn.set_instrumentation(counting::Counter::new(self.generation(), self.refdata.clone()));
                Ok(DbConn::Pg(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnError> {
        conn.batch_execute("SELECT 1").map_err(|e| ConnError(e.to_string()))
    }

    /// A connection whose transaction could not be closed, or that a statement found closed by
    /// the server (a restart, `pg_terminate_backend`), is dropped, not handed out again; the
    /// pool opens a new one. A closed one also moves the generation on, so the others are
    /// pinged before their next use: a restart closes them all at once.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        if let Some(c) = counter(conn)
            && !c.changed.is_empty()
        {
            // Back in the pool, its transaction is over: forget the copies it made old.
            let changed = std::mem::take(&mut c.changed);
            if let Some(cache) = &self.refdata {
                changed.into_iter().for_each(|k| cache.forget(k));
            }
        }
        if counter(conn).is_some_and(|c| c.closed) {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return true;
        }
        match conn {
            DbConn::Sqlite(c) => c.is_broken(),
            DbConn::Pg(c) => c.is_broken(),
        }
    }
}

pub type Pool = r2d2::Pool<ConnManager>;

/// The pool, cloned into every worker; `run` is the only way handlers touch the database.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    /// One permit per pooled connection: requests wait for a connection here, as cheap async
    /// waiters, instead of as blocking threads parked on the pool's lock (measured: fewer
    /// thread switches and a shorter tail under load).
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    target: std::sync::Arc<str>,
    /// The manager's [`ConnManager::generation`].
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    refdata: std::sync::Arc<refdata::RefData>,
    url: std::sync::Arc<str>,
}

impl Db {
    pub fn connect(url: &str) -> anyhow::Result<Db> {
        init_tls();
        let (backend, target) = parse_url(url)?;
        if backend == Backend::Sqlite
            && let Some(parent) = std::path::Path::new(&target).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let size = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let refdata = std::sync::Arc::new(refdata::RefData::default());
        let manager = ConnManager { refdata: Some(refdata.clone()), ..ConnManager::new(backend, target.clone()) };
        let generation = manager.generation.clone();
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            // While the database is down (a PostgreSQL restart) a request waits this long for a
            // connection, then gets the 503 page. Connections are not pinged on every check-out
            // (a round trip per request on PostgreSQL): `Db::checkout` pings only one that sat
            // idle or that a closed sibling puts in doubt, and `has_broken` drops the closed ones.
            .connection_timeout(Duration::from_secs(3))
            .test_on_check_out(false)
            .build(manager)?;
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize));
        Ok(Db { pool, backend, permits, target: target.into(), generation, refdata, url: url.into() })
    }

    /// Starts keeping this instance's reference data cache in step with other instances
    /// ([`refdata::watch`]); the server calls it once.
    pub fn watch_refdata(&self) -> anyhow::Result<()> {
        refdata::watch(&self.url, &self.refdata)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }

    pub fn max_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// A pooled connection for synchronous callers (CLI commands, the job runner's blocking part).
    pub fn get(&self) -> AppResult<r2d2::PooledConnection<ConnManager>> {
        self.checkout()
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let db = self.clone();
        let acting = acting::current();
        let tally = counting::current();
        actix_web::web::block(move || {
            counting::run_as(tally, || {
                let mut conn = db.checkout()?;
                acting::run_as(acting, || f(&mut conn))
            })
        })
        .await?
    }

    /// How long a connection may sit unused before it is pinged at check-out: a firewall or the
    /// server may have dropped it meanwhile. Under load connections are reused within
    /// milliseconds and never pinged.
    const IDLE_CHECK: Duration = Duration::from_secs(30);

    /// A pooled connection believed alive without asking the server, except for one idle longer
    /// than [`Self::IDLE_CHECK`] or older than the last closed connection the pool saw: that one
    /// is pinged first, and replaced when the ping fails.
    pub fn checkout(&self) -> AppResult<r2d2::PooledConnection<ConnManager>> {
        for _ in 0..=self.pool.max_size() {
            let mut conn = self.pool.get()?;
            let generation = self.generation.load(std::sync::atomic::Ordering::Relaxed);
            let Some(c) = counter(&mut conn) else { return Ok(conn) };
            if c.checked_in == generation && c.last_used.elapsed() < Self::IDLE_CHECK {
                return Ok(conn);
            }
            if conn.batch_execute("SELECT 1").is_ok() {
                if let Some(c) = counter(&mut conn) {
                    c.checked_in = generation;
                }
                return Ok(conn);
            }
            // The failed ping marked it closed: returning it drops it, and the loop asks again.
        }
        Err(AppError::Unavailable("数据库暂时不可用，请稍后再试".into()))
    }

    /// Runs a short read-only `f` on the calling thread, without the hop to the blocking pool,
    /// where that cannot stall the server: on SQLite in WAL mode a reader never waits for a
    /// writer, and each thread keeps its own `query_only` connection for this, so nothing waits
    /// for the pool either. Two thread switches cost more than the few index lookups this is
    /// for (the signed-in user of every request). On PostgreSQL, a network round trip, it is
    /// [`Db::run`].
    pub async fn read_here<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.backend != Backend::Sqlite {
            return self.run(f).await;
        }
        thread_local! {
            static LOCAL: std::cell::RefCell<Option<(std::sync::Arc<str>, DbConn)>> =
                const { std::cell::RefCell::new(None) };
        }
        LOCAL.with(|slot| {
            let mut slot = slot.borrow_mut();
            let conn = match &mut *slot {
                Some((target, conn)) if *target == self.target => conn,
                other => {
                    let manager = ConnManager {
                        refdata: Some(self.refdata.clone()),
                        ..ConnManager::new(Backend::Sqlite, self.target.to_string())
                    };
                    let mut conn = manager.connect().map_err(AppError::internal)?;
                    conn.batch_execute("PRAGMA query_only = ON;")?;
                    &mut other.insert((self.target.clone(), conn)).1
                }
            };
            f(conn)
        })
    }

    /// Applies every pending migration of this backend.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get()?;
        migrate(&mut conn)
    }

    pub fn ping(&self) -> AppResult<()> {
        let mut conn = self.pool.get()?;
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }
}

/// One connection without a pool, for command-line tools: a pool keeps background threads
/// that may still be inside libpq while a short-lived process exits.
/// OpenSSL set up by us before libpq first uses it, without its exit-time clean-up: libpq's own
/// set-up registers that clean-up, which then frees OpenSSL's state while the reference data
/// watcher (`refdata::watch`) may still be reading its TLS connection on another thread, and
/// the process dies with SIGSEGV on its way out.
fn init_tls() {
    openssl::init();
}

pub fn connect_one(url: &str) -> anyhow::Result<DbConn> {
    init_tls();
    let (backend, target) = parse_url(url)?;
    if backend == Backend::Sqlite
        && let Some(parent) = std::path::Path::new(&target).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(ConnManager::new(backend, target).connect()?)
}

/// Applies every pending migration on `conn`'s backend.
pub fn migrate(conn: &mut DbConn) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied)
}

/// A write transaction: `BEGIN IMMEDIATE` on SQLite, plain `BEGIN` on PostgreSQL. Rolled back
/// when `f` fails. Inside another transaction it becomes a savepoint, so services compose.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(E::from)?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    match conn {
        DbConn::Sqlite(c) => diesel::connection::AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => <PgConnection as Connection>::TransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            // The original error matters more than a failed rollback; the manager marks itself
            // broken in that case and the pool drops the connection.
            let _ = <DbConn as Connection>::TransactionManager::rollback_transaction(conn);
            Err(err)
        }
    }
}

/// Serializes the calling transaction with every other transaction of the same user that calls
/// it: a row lock on the user (`SELECT ... FOR UPDATE`) on PostgreSQL, held until commit. SQLite
/// needs none, its write transactions (`BEGIN IMMEDIATE`) already run one at a time.
///
/// For per-user rules that read before they write (a cart line's total, "one per person") when
/// no single conditional statement or unique index can say them.
pub fn lock_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    use diesel::prelude::*;
    if let DbConn::Pg(c) = conn {
        schema::users::table.find(user_id).select(schema::users::id).for_update().first::<i64>(c)?;
    }
    Ok(())
}

/// Current UTC time with microsecond precision (what both backends store).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
