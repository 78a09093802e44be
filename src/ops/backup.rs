//! `campus backup [--to DIR] [--keep N]`: a consistent snapshot of the database and the media,
//! taken while the server keeps serving.
//!
//! Consistency is the database's own: on SQLite `VACUUM INTO` copies one read transaction (WAL
//! lets writers carry on meanwhile) and the row counts are read from the copy itself; on
//! PostgreSQL the transaction that counts the rows exports its snapshot and `pg_dump --snapshot`
//! dumps exactly that, so the manifest's counts are the dump's even under writes. Media files are
//! written once and never changed in place, so copying them after the database misses nothing the
//! snapshot refers to.
//!
//! The media come from the upload store, whichever it is (`web::storage`): the data dir, or with
//! `CAMPUS_MEDIA_S3_*` the bucket, whose objects are downloaded into the backup (public files
//! under `media/`, licences and student-card photos under `private/`). The backup is then whole
//! on its own; the manifest's `media` field names where they were copied from. A bucket's own
//! versioning or replication is an extra safety net, not a substitute for this copy.

use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

use super::manifest::{self, FileSum, MANIFEST, Manifest, PG_FILE, SQLITE_FILE};
use crate::config::Config;
use crate::db::{self, Backend, DbConn};
use crate::web::storage::{Area, Storage};

/// Takes a backup into `to` (default `<data dir>/backups/<UTC time>`), which must not exist or be
/// empty; with `keep`, afterwards removes the oldest backups beside it beyond that many.
pub fn take(config: &Config, to: Option<PathBuf>, keep: Option<usize>) -> anyhow::Result<(PathBuf, Manifest)> {
    let now = chrono::Utc::now();
    let dir = to.unwrap_or_else(|| config.data_dir.join("backups").join(now.format("%Y%m%d-%H%M%S").to_string()));
    let storage = Storage::open(config)?;
    for area in [Area::Public, Area::Private] {
        if let (true, Ok(d), Ok(m)) = (storage.is_local(), absolute(&dir), absolute(&config.data_dir.join(area.dir())))
            && d.starts_with(&m)
        {
            anyhow::bail!("{} lies inside the {} directory; choose another place", dir.display(), area.dir());
        }
    }
    if dir.exists() && std::fs::read_dir(&dir)?.next().is_some() {
        anyhow::bail!("{} is not empty; a backup goes into a new or empty directory", dir.display());
    }
    std::fs::create_dir_all(&dir)?;
    let (backend, target) = db::parse_url(&config.database_url)?;
    let mut files = std::collections::BTreeMap::new();
    let (tables, schema_version, db_file) = match backend {
        Backend::Sqlite => snapshot_sqlite(&target, &dir.join(SQLITE_FILE))?,
        Backend::Postgres => snapshot_postgres(&config.database_url, &dir.join(PG_FILE))?,
    };
    files.insert(db_file.to_string(), manifest::hash_file(&dir.join(db_file))?);
    for area in [Area::Public, Area::Private] {
        for rel in storage.list_blocking(area).map_err(|e| anyhow::anyhow!("listing the media: {e:?}"))? {
            let name = format!("{}/{rel}", area.dir());
            // Gone between listing and reading: deleted meanwhile, so the snapshot does not need it.
            let Some(bytes) = storage.get_blocking(area, &rel).map_err(|e| anyhow::anyhow!("{name}: {e:?}"))? else {
                continue;
            };
            let sum: FileSum = manifest::write_hashed(&bytes, &dir.join(&name))?;
            files.insert(name, sum);
        }
    }
    let manifest = Manifest {
        format: 1,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        backend: match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
        .into(),
        schema_version,
        media: format!("copied from {}", storage.describe()),
        tables,
        files,
    };
    manifest.write(&dir)?;
    if let Some(keep) = keep {
        prune(&dir, keep)?;
    }
    Ok((dir, manifest))
}

type Snapshot = (std::collections::BTreeMap<String, i64>, Option<String>, &'static str);

fn snapshot_sqlite(source: &str, out: &Path) -> anyhow::Result<Snapshot> {
    if !Path::new(source).exists() {
        anyhow::bail!("no database at {source}");
    }
    let mut conn = SqliteConnection::establish(source).map_err(|e| anyhow::anyhow!("sqlite {source}: {e}"))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
    let into = out.to_string_lossy().replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{into}'"))?;
    drop(conn);
    // Counted from the copy, so the manifest describes exactly what was saved.
    let copy = out.to_string_lossy().to_string();
    let mut conn = DbConn::Sqlite(SqliteConnection::establish(&copy).map_err(|e| anyhow::anyhow!("{copy}: {e}"))?);
    let tables = manifest::table_counts(&mut conn)?;
    let version = manifest::schema_version(&mut conn, &tables)?;
    drop(conn);
    for side in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{copy}{side}"));
    }
    Ok((tables, version, SQLITE_FILE))
}

fn snapshot_postgres(url: &str, out: &Path) -> anyhow::Result<Snapshot> {
    #[derive(QueryableByName)]
    struct Exported {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let conn = PgConnection::establish(url).map_err(|e| anyhow::anyhow!("postgres: {e}"))?;
    let mut conn = DbConn::Pg(conn);
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
    let snapshot: Exported =
        crate::on_backend!(&mut conn, |c| diesel::sql_query("SELECT pg_export_snapshot() AS id").get_result(c))?;
    let tables = manifest::table_counts(&mut conn)?;
    let version = manifest::schema_version(&mut conn, &tables)?;
    // The exported snapshot lives as long as this transaction: pg_dump runs inside it.
    let dumped = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges", "--snapshot"])
        .arg(&snapshot.id)
        .arg("--file")
        .arg(out)
        .arg("--dbname")
        .arg(url)
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run pg_dump ({e}); install the PostgreSQL client (postgresql-client)"))?;
    conn.batch_execute("COMMIT")?;
    if !dumped.status.success() {
        anyhow::bail!("pg_dump failed: {}", String::from_utf8_lossy(&dumped.stderr).trim());
    }
    Ok((tables, version, PG_FILE))
}

/// Keeps the newest `keep` backups (directories with a manifest) in `dir`'s parent.
fn prune(dir: &Path, keep: usize) -> anyhow::Result<()> {
    let Some(parent) = dir.parent() else {
        return Ok(());
    };
    let mut backups: Vec<(String, PathBuf)> = std::fs::read_dir(parent)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST).is_file())
        .filter_map(|p| Manifest::read(&p).ok().map(|m| (m.created_at, p)))
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep.max(1));
    for (_, old) in backups.into_iter().take(excess) {
        if old != dir {
            std::fs::remove_dir_all(&old)?;
            tracing::info!(removed = %old.display(), "old backup removed");
        }
    }
    Ok(())
}

fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    std::path::absolute(p)
}
