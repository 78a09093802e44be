//! `campus restore DIR [--force]`: checks every file of a backup against its manifest, refuses to
//! overwrite a database that holds data unless forced, puts the database and the media back, and
//! checks the row counts against the manifest.
//!
//! The media go into the upload store the configuration names (the data dir, or the bucket of
//! `CAMPUS_MEDIA_S3_*`, which is also how a site moves its files from one to the other); files
//! already there are replaced, others left alone.
//!
//! Stop the server first (on SQLite the file is replaced underneath it). The search index is
//! derived from the database, so it is removed and rebuilt from scratch on the next start.

use std::path::Path;
use std::process::Command;

use super::manifest::{self, Manifest, PG_FILE, SQLITE_FILE};
use crate::config::Config;
use crate::db::{self, Backend};
use crate::web::media;
use crate::web::storage::Storage;

pub struct Restored {
    pub manifest: Manifest,
    pub media_files: usize,
}

pub fn restore(config: &Config, dir: &Path, force: bool) -> anyhow::Result<Restored> {
    let manifest = Manifest::read(dir)?;
    let (backend, target) = db::parse_url(&config.database_url)?;
    let (wanted, db_file) = match backend {
        Backend::Sqlite => ("sqlite", SQLITE_FILE),
        Backend::Postgres => ("postgres", PG_FILE),
    };
    if manifest.backend != wanted {
        anyhow::bail!(
            "this backup is of a {} database and DATABASE_URL names a {wanted} one; restore it into a {} database",
            manifest.backend,
            manifest.backend
        );
    }
    if !manifest.files.contains_key(db_file) {
        anyhow::bail!("backup damaged: the manifest lists no {db_file}; nothing was restored");
    }
    manifest.verify(dir)?;

    let sqlite_exists = backend == Backend::Sqlite && Path::new(&target).exists();
    if backend == Backend::Postgres || sqlite_exists {
        let held = manifest::tables_with_rows(&manifest::table_counts(&mut db::connect_one(&config.database_url)?)?);
        if !held.is_empty() && !force {
            // Accounts first: the table an operator recognizes.
            let mut shown: Vec<&(String, i64)> = held.iter().filter(|(t, _)| t == "users").collect();
            shown.extend(held.iter().filter(|(t, _)| t != "users").take(4));
            let some: Vec<String> = shown.iter().map(|(t, n)| format!("{t}: {n}")).collect();
            anyhow::bail!(
                "the target database is not empty ({} table(s) hold rows, e.g. {}); nothing was restored. Run again \
                 with --force to replace it",
                held.len(),
                some.join(", ")
            );
        }
    }

    match backend {
        Backend::Sqlite => put_sqlite(&dir.join(SQLITE_FILE), Path::new(&target))?,
        Backend::Postgres => put_postgres(&dir.join(PG_FILE), &config.database_url)?,
    }
    let storage = Storage::open(config)?;
    let mut media_files = 0;
    for name in manifest.files.keys() {
        let Some(rel) = name.strip_prefix("media/").or_else(|| name.strip_prefix("private/")) else {
            continue;
        };
        // By folder, not by the backup's side: licences saved under media/ by older versions go
        // to the private area where they are read now.
        let area = media::area_of(rel.split('/').next().unwrap_or_default());
        let bytes = std::fs::read(dir.join(name))?;
        storage.put_blocking(area, rel, bytes).map_err(|e| anyhow::anyhow!("{name}: {e:?}"))?;
        media_files += 1;
    }
    let search = config.data_dir.join("search");
    if search.exists() {
        std::fs::remove_dir_all(&search)?;
    }

    let counts = manifest::table_counts(&mut db::connect_one(&config.database_url)?)?;
    let wrong: Vec<String> = manifest
        .tables
        .iter()
        .filter(|&(t, n)| counts.get(t) != Some(n))
        .map(|(t, n)| format!("{t}: {} rows, the backup had {n}", counts.get(t).copied().unwrap_or(0)))
        .collect();
    if !wrong.is_empty() {
        anyhow::bail!("restored, but the row counts differ from the manifest: {}", wrong.join("; "));
    }
    Ok(Restored { manifest, media_files })
}

/// Copies the snapshot beside the target and renames it into place; the old file's WAL and
/// shared-memory index go first, or SQLite would replay the old WAL onto the restored file.
fn put_sqlite(snapshot: &Path, target: &Path) -> anyhow::Result<()> {
    if let Some(parent) = target.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let mut staging = target.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = std::path::PathBuf::from(staging);
    manifest::copy_hashed(snapshot, &staging)?;
    for side in ["-wal", "-shm", "-journal"] {
        let mut p = target.as_os_str().to_owned();
        p.push(side);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&staging, target)?;
    Ok(())
}

/// `pg_restore --clean --if-exists` in one transaction: on any error nothing changes.
fn put_postgres(dump: &Path, url: &str) -> anyhow::Result<()> {
    let out = Command::new("pg_restore")
        .args(["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--dbname"])
        .arg(url)
        .arg(dump)
        .output()
        .map_err(|e| {
            anyhow::anyhow!("cannot run pg_restore ({e}); install the PostgreSQL client (postgresql-client)")
        })?;
    if !out.status.success() {
        anyhow::bail!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
