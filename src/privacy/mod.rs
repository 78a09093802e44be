//! Personal data has one home: the registry of every table that holds something of a person,
//! and how each is exported and forgotten. `/me/export` and `/me/delete` (`profile::privacy`)
//! walk it; nothing calls a module's privacy functions by hand.
//!
//! Each module that stores a person's data has a `privacy.rs` with `pub fn part() -> Part`,
//! registered in `app::personal_data` (`.register(forum::privacy::part())`), and in it one line
//! per table:
//!
//! ```ignore
//! Part::new("forum")
//!     .table("forum_posts", Export::To("forum_posts"), Forget::Choice)
//!     .table("forum_likes", Export::To("forum_likes"), Forget::Delete)
//!     .uploads("forum", &[("forum_posts", "images")])
//!     .export(|conn, who, out| { … })
//!     .forget(|conn, who, leave, out| { … })
//! ```
//!
//! A table that names a person but holds nothing of theirs to give or take (the job queue's
//! payloads, say) is listed with [`Registry::exempt`] and a reason. The test
//! `every_table_naming_a_user_is_registered` (tests/api/privacy.rs) reads the live schema of
//! both databases and fails naming any table with a user column (`user_id`, `author_id`,
//! `seller_id`, … or a foreign key to `users`) that is in neither, so a new module cannot forget
//! its tables. Tables of other branches are added the same way: one `.table(...)` line in their
//! module's part.
//!
//! Deleting an account is one transaction over every part ([`Registry::forget`]); the photos
//! the parts give up are withdrawn in the same transaction (`web::media::removed`: 404 at once)
//! and deleted from the store by the retrying `privacy.purge` job. The uploads of a deleted or
//! moderated-away thing go the same way after a grace period ([`withdraw_photos`]); uploads
//! nothing refers to are swept by the daily `privacy.sweep` job ([`sweep`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use chrono::TimeDelta;
use diesel::prelude::*;

use crate::db::sealed::Keyring;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::jobs;
use crate::web::media::{self, removed};
use crate::web::storage::{Area, Storage};

pub const JOB_PURGE: &str = "privacy.purge";
pub const JOB_SWEEP: &str = "privacy.sweep";

/// How long the uploads of a deleted or hidden thing wait before their files are deleted (so a
/// post shown again after review gets its photos back).
pub const GRACE: TimeDelta = TimeDelta::days(7);

/// An upload nothing refers to is deleted once it is this old (a form refused after its photos
/// were stored; a photo replaced while the old URL was in flight).
pub const ORPHAN_AGE: TimeDelta = TimeDelta::hours(24);

/// Where a table's rows go in the export.
#[derive(Clone, Copy, Debug)]
pub enum Export {
    /// Under this key of the JSON.
    To(&'static str),
    /// Not exported, and why (secrets such as password hashes; records the school owns).
    Not(&'static str),
}

/// What happens to a table's rows of a closed account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forget {
    /// The rows are deleted.
    Delete,
    /// The rows stay without the person (personal fields cleared, or pointing at the nameless
    /// account husk); the reason is shown before confirming.
    Anonymise(&'static str),
    /// The user chooses on the page: removed (the default) or kept under 已注销用户.
    Choice,
    /// Kept as they are because the law or the books require it; the reason is listed on the
    /// page before confirming.
    Keep(&'static str),
}

/// One table of a part.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: &'static str,
    pub export: Export,
    pub forget: Forget,
}

/// How the user chose to leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// Posts and comments are removed (the default).
    Remove,
    /// Posts and comments stay, under 已注销用户.
    Anonymise,
}

impl Leave {
    /// The form's `content` field: `remove` (or empty) or `anonymise`.
    pub fn parse(value: &str) -> Result<Leave, String> {
        match value.trim() {
            "" | "remove" => Ok(Leave::Remove),
            "anonymise" => Ok(Leave::Anonymise),
            _ => Err("请选择如何处理你发布的帖子和评论".into()),
        }
    }
}

/// Who is exported or forgotten.
pub struct Subject<'a> {
    pub user_id: i64,
    pub keys: &'a Keyring,
}

/// What the parts put into an export.
#[derive(Default)]
pub struct ExportOut {
    sections: BTreeMap<String, serde_json::Value>,
    photos: BTreeSet<String>,
}

impl ExportOut {
    /// Sets a section of the JSON.
    pub fn put(&mut self, key: &str, value: serde_json::Value) {
        self.sections.insert(key.to_string(), value);
    }

    /// Adds one of the person's own uploads by its `/media/...` path (a private one too).
    pub fn photo(&mut self, url_path: &str) {
        if let Some(path) = media::store_path(url_path) {
            self.photos.insert(path);
        }
    }

    /// Adds a private upload by its path in the private area (`student-cards/u1-x.jpg`).
    pub fn private_photo(&mut self, rel: &str) {
        self.photos.insert(format!("{}/{rel}", Area::Private.dir()));
    }

    pub fn sections(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.sections
    }

    /// Store paths of the photos (`media/...`, `private/...`).
    pub fn photos(&self) -> impl Iterator<Item = &String> {
        self.photos.iter()
    }
}

/// What the parts did when forgetting.
#[derive(Default)]
pub struct ForgetOut {
    photos: BTreeSet<String>,
    counts: BTreeMap<String, i64>,
}

impl ForgetOut {
    /// An upload to delete from the store, by its `/media/...` path.
    pub fn photo(&mut self, url_path: &str) {
        if let Some(path) = media::store_path(url_path) {
            self.photos.insert(path);
        }
    }

    pub fn private_photo(&mut self, rel: &str) {
        self.photos.insert(format!("{}/{rel}", Area::Private.dir()));
    }

    /// Notes a number for the audit log (`orders_kept`, `posts_removed`, …).
    pub fn count(&mut self, what: &str, n: usize) {
        *self.counts.entry(what.to_string()).or_default() += n as i64;
    }

    pub fn counts(&self) -> &BTreeMap<String, i64> {
        &self.counts
    }

    pub fn photo_count(&self) -> usize {
        self.photos.len()
    }
}

pub type ExportFn = dyn Fn(&mut DbConn, &Subject, &mut ExportOut) -> AppResult<()> + Send + Sync;
pub type ForgetFn = dyn Fn(&mut DbConn, &Subject, Leave, &mut ForgetOut) -> AppResult<()> + Send + Sync;

/// When a part forgets: the account itself (its husk, logins, sessions) goes after every part
/// that may still read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Content,
    Account,
}

/// One module's personal data.
pub struct Part {
    pub module: &'static str,
    pub tables: Vec<Table>,
    /// Upload folders this module owns, each with every `(table, column)` that may refer to its
    /// files (for the sweep of unattached uploads; a folder nobody declares is never swept).
    pub uploads: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
    phase: Phase,
    export: Option<Arc<ExportFn>>,
    forget: Option<Arc<ForgetFn>>,
}

impl Part {
    pub fn new(module: &'static str) -> Part {
        Part { module, tables: Vec::new(), uploads: Vec::new(), phase: Phase::Content, export: None, forget: None }
    }

    /// One table: where it goes in the export and what deletion does to it.
    pub fn table(mut self, name: &'static str, export: Export, forget: Forget) -> Part {
        self.tables.push(Table { name, export, forget });
        self
    }

    /// An upload folder of this module and the columns that refer to its files.
    pub fn uploads(mut self, folder: &'static str, columns: &[(&'static str, &'static str)]) -> Part {
        self.uploads.push((folder, columns.to_vec()));
        self
    }

    /// This part holds the account itself and forgets last.
    pub fn account(mut self) -> Part {
        self.phase = Phase::Account;
        self
    }

    pub fn export(
        mut self,
        f: impl Fn(&mut DbConn, &Subject, &mut ExportOut) -> AppResult<()> + Send + Sync + 'static,
    ) -> Part {
        self.export = Some(Arc::new(f));
        self
    }

    pub fn forget(
        mut self,
        f: impl Fn(&mut DbConn, &Subject, Leave, &mut ForgetOut) -> AppResult<()> + Send + Sync + 'static,
    ) -> Part {
        self.forget = Some(Arc::new(f));
        self
    }
}

/// Every module's part, and the tables that name a person but hold nothing of theirs.
#[derive(Default)]
pub struct Registry {
    parts: Vec<Part>,
    exempt: Vec<(&'static str, &'static str)>,
}

/// What is kept of a closed account, and why (listed on `/me/delete` before confirming).
#[derive(Clone, Debug)]
pub struct Kept {
    pub table: &'static str,
    pub reason: &'static str,
    pub anonymised: bool,
}

impl Registry {
    /// Registers a module's part; a table registered twice is a programming error (logged, and
    /// the coverage test fails on it).
    pub fn register(&mut self, part: Part) -> &mut Self {
        for t in &part.tables {
            if self.table(t.name).is_some() {
                tracing::error!(table = t.name, "personal-data table registered twice");
            }
        }
        self.parts.push(part);
        self
    }

    /// A table with a user column that holds nothing to export or forget, and why.
    pub fn exempt(&mut self, table: &'static str, reason: &'static str) -> &mut Self {
        self.exempt.push((table, reason));
        self
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.parts.iter().flat_map(|p| p.tables.iter()).find(|t| t.name == name)
    }

    /// Why a table is exempt, if it is.
    pub fn exemption(&self, name: &str) -> Option<&'static str> {
        self.exempt.iter().find(|(t, _)| *t == name).map(|(_, r)| *r)
    }

    /// Whether a table is covered: registered by a part, or exempt with a reason.
    pub fn covers(&self, name: &str) -> bool {
        self.table(name).is_some() || self.exemption(name).is_some_and(|r| !r.trim().is_empty())
    }

    /// Tables registered more than once (by two parts, or a part and an exemption).
    pub fn duplicates(&self) -> Vec<&'static str> {
        let mut seen = HashSet::new();
        let names = self.parts.iter().flat_map(|p| p.tables.iter().map(|t| t.name));
        names.chain(self.exempt.iter().map(|(t, _)| *t)).filter(|n| !seen.insert(*n)).collect()
    }

    /// What stays of a closed account, table by table, for the page before confirming.
    pub fn kept(&self) -> Vec<Kept> {
        self.parts
            .iter()
            .flat_map(|p| p.tables.iter())
            .filter_map(|t| match t.forget {
                Forget::Keep(reason) => Some(Kept { table: t.name, reason, anonymised: false }),
                Forget::Anonymise(reason) => Some(Kept { table: t.name, reason, anonymised: true }),
                _ => None,
            })
            .collect()
    }

    /// Everything of the person's own: the JSON sections and their photos. Read in one
    /// transaction so the parts agree.
    pub fn export(&self, conn: &mut DbConn, who: &Subject) -> AppResult<ExportOut> {
        let mut out = ExportOut::default();
        for part in &self.parts {
            if let Some(export) = &part.export {
                export(conn, who, &mut out)?;
            }
        }
        Ok(out)
    }

    /// Closes the account: every part forgets in one transaction (the caller's), the account
    /// part last; the photos given up are withdrawn (404 at once) and a purge job queued to
    /// delete them from the store, retrying until it has.
    pub fn forget(&self, conn: &mut DbConn, who: &Subject, leave: Leave) -> AppResult<ForgetOut> {
        let mut out = ForgetOut::default();
        for phase in [Phase::Content, Phase::Account] {
            for part in self.parts.iter().filter(|p| p.phase == phase) {
                if let Some(forget) = &part.forget {
                    forget(conn, who, leave, &mut out)?;
                }
            }
        }
        let photos: Vec<String> = out.photos.iter().cloned().collect();
        purge_soon(conn, &photos)?;
        Ok(out)
    }

    /// Every `/media/...` or private path a declared column refers to, by upload folder.
    fn uploads_in_use(&self, conn: &mut DbConn) -> AppResult<(HashSet<&'static str>, HashSet<String>)> {
        let mut folders = HashSet::new();
        let mut used = HashSet::new();
        for part in &self.parts {
            for (folder, columns) in &part.uploads {
                folders.insert(*folder);
                for (table, column) in columns {
                    for value in column_values(conn, table, column)? {
                        collect_paths(&value, folder, &mut used);
                    }
                }
            }
        }
        Ok((folders, used))
    }
}

#[derive(QueryableByName)]
struct TextValue {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    v: Option<String>,
}

/// The non-empty values of `table.column` (names from the registry, never from a request).
fn column_values(conn: &mut DbConn, table: &str, column: &str) -> AppResult<Vec<String>> {
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if !ok(table) || !ok(column) {
        return Err(AppError::internal(anyhow::anyhow!("bad upload column {table}.{column}")));
    }
    let sql = format!("SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''");
    let rows: Vec<TextValue> = crate::on_backend!(conn, |c| diesel::sql_query(&sql).load(c))?;
    Ok(rows.into_iter().filter_map(|r| r.v).collect())
}

/// Finds every reference to a file of `folder` in `value` (a path, a JSON list, HTML): both
/// `/media/<folder>/<name>` and a bare `<name>` of a private folder's column.
fn collect_paths(value: &str, folder: &str, used: &mut HashSet<String>) {
    let area = media::area_of(folder);
    let marker = format!("/media/{folder}/");
    let mut rest = value;
    let mut found = false;
    while let Some(at) = rest.find(&marker) {
        let tail = &rest[at + marker.len()..];
        let end =
            tail.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))).unwrap_or(tail.len());
        used.insert(format!("{}/{folder}/{}", area.dir(), &tail[..end]));
        rest = &tail[end..];
        found = true;
    }
    if !found && !value.contains('/') {
        // A column holding only the file name (the student-card photos).
        used.insert(format!("{}/{folder}/{value}", area.dir()));
    }
}

/// Withdraws the uploads of a deleted or moderated-away thing by their `/media/...` paths: 404
/// from this transaction's commit, deleted from the store after [`GRACE`] unless restored.
pub fn withdraw_photos<'a>(conn: &mut DbConn, url_paths: impl IntoIterator<Item = &'a str>) -> AppResult<()> {
    let paths: Vec<String> = url_paths.into_iter().filter_map(media::store_path).collect();
    if paths.is_empty() {
        return Ok(());
    }
    removed::withdraw(conn, &paths, GRACE)?;
    jobs::enqueue_with_attempts(conn, JOB_PURGE, &serde_json::json!({}), db::now() + GRACE, 20)?;
    Ok(())
}

/// Discards uploads nothing will restore (an avatar replaced): 404 from this transaction's
/// commit, deleted from the store by the purge job right after.
pub fn discard_photos<'a>(conn: &mut DbConn, url_paths: impl IntoIterator<Item = &'a str>) -> AppResult<()> {
    let paths: Vec<String> = url_paths.into_iter().filter_map(media::store_path).collect();
    purge_soon(conn, &paths)
}

/// Serves a restored thing's uploads again (those not yet purged).
pub fn restore_photos<'a>(conn: &mut DbConn, url_paths: impl IntoIterator<Item = &'a str>) -> AppResult<()> {
    let paths: Vec<String> = url_paths.into_iter().filter_map(media::store_path).collect();
    removed::restore(conn, &paths)?;
    Ok(())
}

/// Withdraws store paths for deletion right away (a closed account's photos): the purge job
/// runs at once and retries until the store has let them go.
fn purge_soon(conn: &mut DbConn, paths: &[String]) -> AppResult<()> {
    if paths.is_empty() {
        return Ok(());
    }
    removed::withdraw(conn, paths, TimeDelta::zero())?;
    jobs::enqueue_with_attempts(conn, JOB_PURGE, &serde_json::json!({}), db::now(), 20)?;
    Ok(())
}

/// Deletes from the store every withdrawn upload whose grace period is over. A file the store
/// fails to delete stays listed (still 404) and fails the run, so the job retries.
pub fn purge_due(conn: &mut DbConn, storage: &Storage) -> Result<usize, String> {
    let mut done = 0;
    loop {
        let due = removed::due(conn, 200).map_err(|e| e.to_string())?;
        if due.is_empty() {
            return Ok(done);
        }
        let mut failed = None;
        for path in &due {
            let Some((area, rel)) = media::split_store_path(path) else {
                removed::purged(conn, path).map_err(|e| e.to_string())?;
                continue;
            };
            match storage.delete_blocking(area, rel) {
                Ok(()) => {
                    removed::purged(conn, path).map_err(|e| e.to_string())?;
                    done += 1;
                }
                Err(e) => failed = Some(format!("{path}: {e:?}")),
            }
        }
        if let Some(error) = failed {
            return Err(error);
        }
    }
}

/// Deletes uploads of the declared folders that nothing refers to and that are older than
/// `min_age`; withdrawn ones are left to the purge. Returns how many went.
pub fn sweep(conn: &mut DbConn, registry: &Registry, storage: &Storage, min_age: TimeDelta) -> AppResult<usize> {
    let (folders, used) = registry.uploads_in_use(conn)?;
    let cutoff = db::now() - min_age;
    let mut gone = 0;
    // Files of a private folder still in the public area (feedback screenshots sent before
    // they moved) go to the private one, where their own route finds them.
    for (rel, _) in storage.list_aged_blocking(Area::Public)? {
        let folder = rel.split('/').next().unwrap_or_default();
        if media::area_of(folder) != Area::Private {
            continue;
        }
        if let Some(bytes) = storage.get_blocking(Area::Public, &rel)? {
            storage.put_blocking(Area::Private, &rel, bytes)?;
        }
        storage.delete_blocking(Area::Public, &rel)?;
    }
    for area in [Area::Public, Area::Private] {
        for (rel, modified) in storage.list_aged_blocking(area)? {
            let folder = rel.split('/').next().unwrap_or_default();
            if !folders.contains(folder) || media::area_of(folder) != area || modified > cutoff {
                continue;
            }
            let path = format!("{}/{rel}", area.dir());
            if used.contains(&path) || removed::is_withdrawn(conn, &path)? {
                continue;
            }
            storage.delete_blocking(area, &rel)?;
            gone += 1;
        }
    }
    if gone > 0 {
        tracing::info!(gone, "unattached uploads deleted");
    }
    Ok(gone)
}

/// Registers the purge and the daily sweep, and books the first sweep.
pub fn register_jobs(runner: &mut jobs::Registry, registry: Arc<Registry>, storage: Storage) {
    let purge_store = storage.clone();
    runner.register(JOB_PURGE, move |conn, _, _| purge_due(conn, &purge_store).map(|_| ()));
    runner.register(JOB_SWEEP, move |conn, _, _| {
        purge_due(conn, &storage)?;
        sweep(conn, &registry, &storage, ORPHAN_AGE).map_err(|e| format!("{e:?}"))?;
        if !jobs::is_waiting(conn, JOB_SWEEP).map_err(|e| format!("{e:?}"))? {
            jobs::enqueue(conn, JOB_SWEEP, &serde_json::json!({}), db::now() + TimeDelta::days(1))
                .map_err(|e| format!("{e:?}"))?;
        }
        Ok(())
    });
}

/// Books the daily sweep unless one is booked (at start-up).
pub fn schedule_sweep(conn: &mut DbConn) -> AppResult<()> {
    if !jobs::is_waiting(conn, JOB_SWEEP)? {
        jobs::enqueue(conn, JOB_SWEEP, &serde_json::json!({}), db::now() + TimeDelta::hours(1))?;
    }
    Ok(())
}
