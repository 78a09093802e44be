//! What a backup directory holds and how it is checked: `manifest.json` with the row count of
//! every table, the size and SHA-256 of every file, the schema version, the time and the backend.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::on_backend;

pub const MANIFEST: &str = "manifest.json";
/// The database snapshot inside a backup directory, by backend.
pub const SQLITE_FILE: &str = "database.sqlite3";
pub const PG_FILE: &str = "database.pgdump";
/// diesel's bookkeeping: rows there do not make a database "non-empty".
pub const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(Serialize, Deserialize, Debug)]
pub struct Manifest {
    pub format: u32,
    /// UTC, RFC 3339.
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The latest applied migration.
    pub schema_version: Option<String>,
    /// Where the media in this backup were copied from: `copied from local` (the data dir) or
    /// `copied from s3://bucket/prefix/`. Either way the files are inside the backup.
    #[serde(default)]
    pub media: String,
    pub tables: BTreeMap<String, i64>,
    /// Paths relative to the backup directory, `/`-separated.
    pub files: BTreeMap<String, FileSum>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct FileSum {
    pub bytes: u64,
    pub sha256: String,
}

impl Manifest {
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{} is not a backup: cannot read {MANIFEST} ({e})", dir.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is damaged ({e}); nothing was restored", path.display()))
    }

    /// Written last, through a temporary name: a directory with a manifest is a whole backup.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let tmp = dir.join(format!("{MANIFEST}.tmp"));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, dir.join(MANIFEST))?;
        Ok(())
    }

    pub fn total_rows(&self) -> i64 {
        self.tables.values().sum()
    }

    /// Every file the manifest lists exists with its size and checksum; the first that does not
    /// is named in the error.
    pub fn verify(&self, dir: &Path) -> anyhow::Result<()> {
        for (name, expected) in &self.files {
            let path = dir.join(name);
            let found = hash_file(&path).map_err(|e| {
                anyhow::anyhow!("backup damaged: {name} is missing or unreadable ({e}); nothing was restored")
            })?;
            if found.bytes != expected.bytes {
                anyhow::bail!(
                    "backup damaged: {name} has {} bytes, the manifest says {} (truncated or altered); nothing was \
                     restored",
                    found.bytes,
                    expected.bytes
                );
            }
            if found.sha256 != expected.sha256 {
                anyhow::bail!(
                    "backup damaged: {name} does not match its SHA-256 checksum (altered); nothing was restored"
                );
            }
        }
        Ok(())
    }
}

/// Size and SHA-256 of a file, read in pieces.
pub fn hash_file(path: &Path) -> std::io::Result<FileSum> {
    hash_through(std::fs::File::open(path)?, None)
}

/// Copies `from` to `to` (making its folder), returning what was written.
pub fn copy_hashed(from: &Path, to: &Path) -> std::io::Result<FileSum> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut dst = std::fs::File::create(to)?;
    let sum = hash_through(std::fs::File::open(from)?, Some(&mut dst))?;
    dst.sync_all()?;
    Ok(sum)
}

/// Writes `bytes` to `to` (making its folder), returning their size and checksum.
pub fn write_hashed(bytes: &[u8], to: &Path) -> std::io::Result<FileSum> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut dst = std::fs::File::create(to)?;
    let sum = hash_through(bytes, Some(&mut dst))?;
    dst.sync_all()?;
    Ok(sum)
}

/// Reads `src` to its end, hashing it and writing it to `copy` if given.
fn hash_through(mut src: impl Read, mut copy: Option<&mut std::fs::File>) -> std::io::Result<FileSum> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = src.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(out) = copy.as_deref_mut() {
            out.write_all(&buf[..n])?;
        }
        bytes += n as u64;
    }
    Ok(FileSum { bytes, sha256: hex::encode(hasher.finalize()) })
}

pub use crate::web::storage::{files_under, slash_path};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Nullable<Text>)]
    version: Option<String>,
}

/// The row count of every table of the database (diesel's bookkeeping included).
pub fn table_counts(conn: &mut DbConn) -> QueryResult<BTreeMap<String, i64>> {
    let list = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        DbConn::Pg(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    let names: Vec<Name> = on_backend!(conn, |c| diesel::sql_query(list).load(c))?;
    let mut counts = BTreeMap::new();
    for Name { name } in names {
        let sql = format!("SELECT COUNT(*) AS n FROM \"{}\"", name.replace('"', "\"\""));
        let count: Count = on_backend!(conn, |c| diesel::sql_query(&sql).get_result(c))?;
        counts.insert(name, count.n);
    }
    Ok(counts)
}

/// The latest applied migration, `None` on a database never migrated.
pub fn schema_version(conn: &mut DbConn, tables: &BTreeMap<String, i64>) -> QueryResult<Option<String>> {
    if !tables.contains_key(MIGRATIONS_TABLE) {
        return Ok(None);
    }
    let sql = format!("SELECT MAX(version) AS version FROM {MIGRATIONS_TABLE}");
    let row: Version = on_backend!(conn, |c| diesel::sql_query(&sql).get_result(c))?;
    Ok(row.version)
}

/// The tables holding rows other than diesel's bookkeeping: what makes a database "non-empty".
pub fn tables_with_rows(counts: &BTreeMap<String, i64>) -> Vec<(String, i64)> {
    counts.iter().filter(|(t, n)| **n > 0 && t.as_str() != MIGRATIONS_TABLE).map(|(t, n)| (t.clone(), *n)).collect()
}
