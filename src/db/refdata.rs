//! Reference data kept in process: the tables that change a few times a term (semesters,
//! periods, the calendar, classrooms and their buildings, forum boards, mall categories,
//! settings, sensitive words) are read once per change instead of on every page (on PostgreSQL
//! every statement is a round trip; DESIGN §4's statement budget has no room for them).
//!
//! How a change reaches every instance at once:
//! - whoever changes one of these tables calls [`changed`] with its [`Kind`] in the same
//!   transaction: it bumps the kind's row in `ref_versions` and, on PostgreSQL, sends
//!   `NOTIFY campus_refdata` (delivered at commit, only if it commits);
//! - this instance forgets its copy when the changing connection goes back to the pool, i.e.
//!   after the commit (forgetting before it, a request in between could cache the old rows
//!   again as new);
//! - every instance runs [`watch`]: on PostgreSQL a connection that `LISTEN`s (it only reads its
//!   socket, no statement, every [`WATCH_EVERY`]); on SQLite, where instances share one file on
//!   one machine, a read of `ref_versions` every [`WATCH_EVERY`]. A watcher that (re)connects
//!   forgets everything, so a notification missed while it was away costs nothing.
//!
//! A cache entry remembers the generation of its kind from before it was loaded: a change that
//! lands while it loads makes the next reader load again.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::DbConn;
use super::schema::ref_versions;

/// The kinds of reference data, one `ref_versions` row each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Semesters,
    Periods,
    Calendar,
    Classrooms,
    Boards,
    Categories,
    Settings,
    SensitiveWords,
    /// Every class's weekly meetings (course, teacher, room), by semester.
    Timetable,
    /// The campus map's points by name (the today card links a class's building to its point).
    MapPoints,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Semesters,
        Kind::Periods,
        Kind::Calendar,
        Kind::Classrooms,
        Kind::Boards,
        Kind::Categories,
        Kind::Settings,
        Kind::SensitiveWords,
        Kind::Timetable,
        Kind::MapPoints,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Semesters => "semesters",
            Kind::Periods => "periods",
            Kind::Calendar => "calendar",
            Kind::Classrooms => "classrooms",
            Kind::Boards => "boards",
            Kind::Categories => "categories",
            Kind::Settings => "settings",
            Kind::SensitiveWords => "sensitive_words",
            Kind::Timetable => "timetable",
            Kind::MapPoints => "map_points",
        }
    }

    fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How often the watcher looks for changes made by other instances.
pub const WATCH_EVERY: Duration = Duration::from_millis(50);

const CHANNEL: &str = "campus_refdata";

type Entry = (u64, Arc<dyn Any + Send + Sync>);

/// One instance's cache: a generation per kind, and the loaded values keyed by what they are.
#[derive(Default)]
pub struct RefData {
    generations: [AtomicU64; Kind::ALL.len()],
    entries: Mutex<HashMap<(Kind, &'static str), Entry>>,
}

impl std::fmt::Debug for RefData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefData").field("generations", &self.generations).finish_non_exhaustive()
    }
}

impl RefData {
    fn generation(&self, kind: Kind) -> u64 {
        self.generations[kind.index()].load(Ordering::Acquire)
    }

    /// Forgets every copy of `kind` on this instance.
    pub fn forget(&self, kind: Kind) {
        self.generations[kind.index()].fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(k, _), _| *k != kind);
        }
    }

    pub fn forget_all(&self) {
        for kind in Kind::ALL {
            self.forget(kind);
        }
    }

    fn lookup<T: Send + Sync + 'static>(&self, kind: Kind, key: &'static str) -> Option<Arc<T>> {
        let generation = self.generation(kind);
        let entries = self.entries.lock().ok()?;
        let (at, value) = entries.get(&(kind, key))?;
        (*at == generation).then(|| value.clone().downcast::<T>().ok()).flatten()
    }

    fn store<T: Send + Sync + 'static>(&self, kind: Kind, key: &'static str, generation: u64, value: Arc<T>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert((kind, key), (generation, value));
        }
    }
}

/// The cache of the instance `conn` belongs to (none for a connection made outside a pool).
fn cache_of(conn: &mut DbConn) -> Option<Arc<RefData>> {
    super::counter(conn).and_then(|c| c.refdata.clone())
}

/// `key` of reference data `kind`: this instance's copy while `kind` has not changed, else
/// `load`ed (and kept). `key` names what `load` returns (one kind may hold several values).
pub fn cached<T, E, F>(conn: &mut DbConn, kind: Kind, key: &'static str, load: F) -> Result<Arc<T>, E>
where
    T: Send + Sync + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let Some(cache) = cache_of(conn) else {
        return Ok(Arc::new(load(conn)?));
    };
    if let Some(value) = cache.lookup::<T>(kind, key) {
        return Ok(value);
    }
    let generation = cache.generation(kind);
    let value = Arc::new(load(conn)?);
    cache.store(kind, key, generation, value.clone());
    Ok(value)
}

/// Says that `kind` changed, inside the transaction that changes it: every instance forgets its
/// copy once that commits.
pub fn changed(conn: &mut DbConn, kind: Kind) -> QueryResult<()> {
    let name = kind.name();
    crate::on_backend!(conn, |c| diesel::insert_into(ref_versions::table)
        .values((ref_versions::name.eq(name), ref_versions::version.eq(1i64)))
        .on_conflict(ref_versions::name)
        .do_update()
        .set(ref_versions::version.eq(ref_versions::version + 1i64))
        .execute(c))?;
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(CHANNEL)
            .bind::<diesel::sql_types::Text, _>(name)
            .execute(c)?;
    }
    if let Some(counter) = super::counter(conn) {
        counter.changed.push(kind);
    }
    Ok(())
}

/// Keeps `cache` in step with changes made by other instances (and by this one's command-line
/// tools), on a thread of its own, for as long as the cache is in use.
pub fn watch(url: &str, cache: &Arc<RefData>) -> anyhow::Result<()> {
    let url = url.to_string();
    let cache = Arc::downgrade(cache);
    std::thread::Builder::new().name("refdata-watch".into()).spawn(move || {
        while cache.strong_count() > 0 {
            if let Err(e) = watch_once(&url, &cache) {
                tracing::warn!(error = %e, "reference data watcher reconnecting");
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    })?;
    Ok(())
}

/// Watches until the connection fails (`Err`) or the cache is dropped (`Ok`).
fn watch_once(url: &str, cache: &std::sync::Weak<RefData>) -> anyhow::Result<()> {
    let mut conn = super::connect_one(url)?;
    // Whatever changed while no one watched is forgotten once the watch is on (listening, or
    // the versions read), so nothing falls between the two.
    let forget_all = || cache.upgrade().map(|c| c.forget_all());
    match &mut conn {
        DbConn::Pg(c) => {
            c.batch_execute(&format!("LISTEN {CHANNEL}"))?;
            forget_all();
            loop {
                let Some(cache) = cache.upgrade() else { return Ok(()) };
                // Reads what the socket holds; sends nothing.
                for note in c.notifications_iter() {
                    match Kind::parse(&note?.payload) {
                        Some(kind) => cache.forget(kind),
                        None => cache.forget_all(),
                    }
                }
                drop(cache);
                std::thread::sleep(WATCH_EVERY);
            }
        }
        DbConn::Sqlite(_) => {
            let mut seen: Option<HashMap<String, i64>> = None;
            loop {
                let rows: HashMap<String, i64> = ref_versions::table
                    .select((ref_versions::name, ref_versions::version))
                    .load(&mut conn)?
                    .into_iter()
                    .collect();
                let Some(cache) = cache.upgrade() else { return Ok(()) };
                if seen.is_none() {
                    cache.forget_all();
                }
                if let Some(seen) = &seen {
                    for (name, version) in &rows {
                        if seen.get(name) != Some(version) {
                            match Kind::parse(name) {
                                Some(kind) => cache.forget(kind),
                                None => cache.forget_all(),
                            }
                        }
                    }
                }
                seen = Some(rows);
                drop(cache);
                std::thread::sleep(WATCH_EVERY);
            }
        }
    }
}
