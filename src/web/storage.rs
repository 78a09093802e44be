//! Where uploaded files live: one interface over the local data dir (the default) and
//! S3-compatible object storage (`CAMPUS_MEDIA_S3_*`, through the `object_store` crate), so that
//! several instances behind a proxy serve every upload whichever of them took it.
//!
//! Two areas, apart in either backend: [`Area::Public`] (served to anyone at `/media/...`:
//! `data/media/` or `<prefix>media/`) and [`Area::Private`] (business licences and student-card
//! photos, read only by handlers that check who asks: `data/private/` or `<prefix>private/`), so a
//! bucket policy or CDN opened on the public prefix never exposes the private one.
//!
//! `object_store` is async on tokio. The S3 backend owns a small tokio runtime of its own, driven
//! by one thread of its own, and every operation runs there: a handler awaits the task (actix's per-worker runtimes are
//! tokio too, but a pooled connection must not be tied to one worker's runtime), and synchronous
//! callers (image encoding in `web::block`, the seed, `campus backup`/`restore`) wait on a channel,
//! which works from any thread, inside a runtime or not.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::error::AppError;

/// Which side of the store a file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// Served at `/media/...` to anyone, cached for a week.
    Public,
    /// Personal data (licences, student cards): never served by the public route.
    Private,
}

impl Area {
    /// The folder (local) or key prefix (S3) of the area; also its folder inside a backup.
    pub fn dir(self) -> &'static str {
        match self {
            Area::Public => "media",
            Area::Private => "private",
        }
    }
}

/// The upload store; cheap to clone.
#[derive(Clone)]
pub struct Storage(Arc<Backend>);

enum Backend {
    Local { data_dir: PathBuf },
    S3(S3),
}

struct S3 {
    store: Arc<AmazonS3>,
    prefix: String,
    label: String,
    /// The store's own runtime, driven by its own thread until `stop` is dropped.
    runtime: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for S3 {
    fn drop(&mut self) {
        // Ends the runtime's thread, which drops the runtime there (never on an async thread,
        // where dropping a runtime panics).
        drop(self.stop.take());
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Only plain relative paths (`folder/name.jpg`): no `..`, no root, nothing empty.
fn checked(rel: &str) -> Option<&str> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && !rel.ends_with('/')
        && !rel.contains("//")
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then_some(rel)
}

fn storage_error(e: impl std::fmt::Display) -> AppError {
    AppError::internal(anyhow::anyhow!("media storage: {e}"))
}

impl Storage {
    /// The store the configuration names: S3 when `CAMPUS_MEDIA_S3_BUCKET` is set, else the data
    /// dir. Nothing is contacted yet (a bucket that does not exist fails the first upload).
    pub fn open(config: &Config) -> anyhow::Result<Storage> {
        let Some(s3) = &config.media_s3 else {
            return Ok(Storage::local(&config.data_dir));
        };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&s3.bucket)
            .with_region(&s3.region)
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
                ..RetryConfig::default()
            })
            .with_client_options(
                object_store::ClientOptions::new()
                    .with_timeout(Duration::from_secs(30))
                    .with_connect_timeout(Duration::from_secs(5)),
            );
        if let Some(endpoint) = &s3.endpoint {
            // Path-style requests (`endpoint/bucket/key`), what MinIO and emulators expect.
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(id) = &s3.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &s3.secret_access_key {
            builder = builder.with_secret_access_key(secret.expose_secret());
        }
        let store = builder.build().map_err(|e| anyhow::anyhow!("CAMPUS_MEDIA_S3_*: {e}"))?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new().name("campus-media".into()).spawn(move || {
            runtime.block_on(async move {
                let _ = stopped.await;
            })
        })?;
        let prefix = match s3.prefix.trim_matches('/') {
            "" => String::new(),
            p => format!("{p}/"),
        };
        let label = format!("s3://{}/{prefix}", s3.bucket);
        Ok(Storage(Arc::new(Backend::S3(S3 {
            store: Arc::new(store),
            prefix,
            label,
            runtime: handle,
            stop: Some(stop),
        }))))
    }

    /// Files under `data_dir/media` and `data_dir/private`.
    pub fn local(data_dir: &Path) -> Storage {
        Storage(Arc::new(Backend::Local { data_dir: data_dir.to_path_buf() }))
    }

    /// Where the files are, for logs, `campus backup` and its manifest: `local` or `s3://bucket/prefix/`.
    pub fn describe(&self) -> String {
        match &*self.0 {
            Backend::Local { .. } => "local".into(),
            Backend::S3(s3) => s3.label.clone(),
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(&*self.0, Backend::Local { .. })
    }

    fn local_path(data_dir: &Path, area: Area, rel: &str) -> PathBuf {
        data_dir.join(area.dir()).join(rel)
    }

    /// Stores `bytes` at `rel` (`folder/name`), replacing what was there.
    pub fn put_blocking(&self, area: Area, rel: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        let rel = checked(rel).ok_or_else(|| storage_error(format!("bad name {rel:?}")))?;
        match &*self.0 {
            Backend::Local { data_dir } => {
                let path = Self::local_path(data_dir, area, rel);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(AppError::internal)?;
                }
                // Through a temporary name: a reader never sees half a file.
                let tmp = path.with_extension("part");
                std::fs::write(&tmp, &bytes).map_err(AppError::internal)?;
                std::fs::rename(&tmp, &path).map_err(AppError::internal)
            }
            Backend::S3(s3) => {
                let (store, key) = (s3.store.clone(), s3.key(area, rel));
                s3.wait(async move { store.put(&key, PutPayload::from(bytes)).await.map(|_| ()) })
            }
        }
    }

    /// The bytes at `rel`, `None` when there is no such file.
    pub fn get_blocking(&self, area: Area, rel: &str) -> Result<Option<Vec<u8>>, AppError> {
        let Some(rel) = checked(rel) else {
            return Ok(None);
        };
        match &*self.0 {
            Backend::Local { data_dir } => {
                let read = std::fs::read(Self::local_path(data_dir, area, rel)).map(Some);
                match read {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        // Licences stored before they moved to the private area.
                        if area == Area::Private && rel.starts_with("licences/") {
                            return Ok(std::fs::read(Self::local_path(data_dir, Area::Public, rel)).ok());
                        }
                        Ok(None)
                    }
                    other => other.map_err(AppError::internal),
                }
            }
            Backend::S3(s3) => {
                let (store, key) = (s3.store.clone(), s3.key(area, rel));
                s3.wait(async move {
                    match store.get(&key).await {
                        Ok(got) => got.bytes().await.map(|b| Some(b.to_vec())),
                        Err(object_store::Error::NotFound { .. }) => Ok(None),
                        Err(e) => Err(e),
                    }
                })
            }
        }
    }

    /// Removes `rel`; a file already gone is fine.
    pub fn delete_blocking(&self, area: Area, rel: &str) -> Result<(), AppError> {
        let Some(rel) = checked(rel) else {
            return Ok(());
        };
        match &*self.0 {
            Backend::Local { data_dir } => match std::fs::remove_file(Self::local_path(data_dir, area, rel)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(AppError::internal(e)),
                _ => Ok(()),
            },
            Backend::S3(s3) => {
                let (store, key) = (s3.store.clone(), s3.key(area, rel));
                s3.wait(async move {
                    match store.delete(&key).await {
                        Err(object_store::Error::NotFound { .. }) => Ok(()),
                        other => other,
                    }
                })
            }
        }
    }

    /// Every file of an area, as `folder/name` paths, sorted.
    pub fn list_blocking(&self, area: Area) -> Result<Vec<String>, AppError> {
        let mut out = match &*self.0 {
            Backend::Local { data_dir } => {
                let root = data_dir.join(area.dir());
                files_under(&root)
                    .map_err(AppError::internal)?
                    .into_iter()
                    .map(|p| slash_path(&p))
                    .filter(|p| !p.ends_with(".part"))
                    .collect()
            }
            Backend::S3(s3) => {
                let store = s3.store.clone();
                let under = format!("{}{}/", s3.prefix, area.dir());
                let root = object_store::path::Path::from(under.trim_end_matches('/'));
                s3.wait(async move {
                    let mut keys = Vec::new();
                    let mut listing = store.list(Some(&root));
                    while let Some(meta) = listing.next().await {
                        let key = meta?.location.to_string();
                        if let Some(rel) = key.strip_prefix(&under) {
                            keys.push(rel.to_string());
                        }
                    }
                    Ok(keys)
                })?
            }
        };
        out.sort();
        Ok(out)
    }

    /// Every file of an area with the time it was last written (UTC), for the sweep of uploads
    /// never attached to anything.
    pub fn list_aged_blocking(&self, area: Area) -> Result<Vec<(String, chrono::NaiveDateTime)>, AppError> {
        match &*self.0 {
            Backend::Local { data_dir } => {
                let root = data_dir.join(area.dir());
                let mut out = Vec::new();
                for rel in files_under(&root).map_err(AppError::internal)? {
                    let modified = std::fs::metadata(root.join(&rel)).and_then(|m| m.modified());
                    let Ok(modified) = modified else { continue };
                    let at = chrono::DateTime::<chrono::Utc>::from(modified).naive_utc();
                    let rel = slash_path(&rel);
                    if !rel.ends_with(".part") {
                        out.push((rel, at));
                    }
                }
                Ok(out)
            }
            Backend::S3(s3) => {
                let store = s3.store.clone();
                let under = format!("{}{}/", s3.prefix, area.dir());
                let root = object_store::path::Path::from(under.trim_end_matches('/'));
                s3.wait(async move {
                    let mut out = Vec::new();
                    let mut listing = store.list(Some(&root));
                    while let Some(meta) = listing.next().await {
                        let meta = meta?;
                        let key = meta.location.to_string();
                        if let Some(rel) = key.strip_prefix(&under) {
                            out.push((rel.to_string(), meta.last_modified.naive_utc()));
                        }
                    }
                    Ok(out)
                })
            }
        }
    }

    /// [`Self::put_blocking`] from async code.
    pub async fn put(&self, area: Area, rel: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        let (this, rel) = (self.clone(), rel.to_string());
        actix_web::web::block(move || this.put_blocking(area, &rel, bytes)).await?
    }

    /// [`Self::get_blocking`] from async code.
    pub async fn get(&self, area: Area, rel: &str) -> Result<Option<Vec<u8>>, AppError> {
        let (this, rel) = (self.clone(), rel.to_string());
        actix_web::web::block(move || this.get_blocking(area, &rel)).await?
    }

    /// [`Self::delete_blocking`] from async code.
    pub async fn delete(&self, area: Area, rel: &str) -> Result<(), AppError> {
        let (this, rel) = (self.clone(), rel.to_string());
        actix_web::web::block(move || this.delete_blocking(area, &rel)).await?
    }
}

impl S3 {
    fn key(&self, area: Area, rel: &str) -> object_store::path::Path {
        object_store::path::Path::from(format!("{}{}/{rel}", self.prefix, area.dir()))
    }

    /// Runs `op` on the store's runtime and waits for it on this thread.
    fn wait<T: Send + 'static>(
        &self,
        op: impl Future<Output = object_store::Result<T>> + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.runtime.spawn(async move {
            let _ = tx.send(op.await);
        });
        rx.recv().map_err(|_| storage_error("the storage task ended"))?.map_err(storage_error)
    }
}

/// Every regular file under `root`, as paths relative to it (empty when `root` does not exist).
pub fn files_under(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let entries = match std::fs::read_dir(root.join(&rel)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            let child = rel.join(entry.file_name());
            if kind.is_dir() {
                stack.push(child);
            } else if kind.is_file() {
                out.push(child);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `a/b.jpg` whatever the platform's separator.
pub fn slash_path(rel: &Path) -> String {
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
