//! Personal data sealed at rest: phone numbers and delivery addresses are stored encrypted with
//! AES-256-GCM under a data key, never as plaintext, and found by phone through a blind index.
//!
//! A sealed value is text: `k<id>:` then base64 of a random 96-bit nonce followed by the
//! ciphertext and its tag. The key id says which key of the [`Keyring`] opens it, so keys rotate:
//! a new key seals everything written from then on, `campus rotate-data-key` re-seals the rest
//! ([`reseal_all`]), and an old key can leave the ring once nothing is sealed under it. The
//! column a value belongs to is bound in as associated data, so a value copied into another
//! column does not open there.
//!
//! Lookups by phone cannot search ciphertext, so the phone also gets a blind index: an HMAC of
//! the normalised number under a key derived from the data key. Every key of the ring gives its
//! own index value (`k<id>:` + hex); lookups ask for all of them, and rotation rewrites them.
//!
//! The keyring comes from `CAMPUS_DATA_KEY` (`<id>:<64 hex>`, comma-separated, the current key
//! first; a bare 64-hex key is key 1), or else from `data/data.key`, created on first start like
//! the secret key. Backups copy the database as it is, so they hold only sealed values.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

/// A value as stored: ciphertext, never shown. [`Keyring::open`] gives the plaintext. It loads
/// from and binds to a text column as is, so a model field of this type cannot be shown by
/// mistake and a plaintext `String` cannot be written where a sealed value belongs.
#[derive(Clone, Debug, PartialEq, Eq, Default, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct Sealed(String);

impl<DB> FromSql<Text, DB> for Sealed
where
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        String::from_sql(bytes).map(Sealed)
    }
}

impl<DB> ToSql<Text, DB> for Sealed
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.as_str().to_sql(out)
    }
}

impl Sealed {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What [`crate::db::reseal`] reads with its raw statements.
impl From<String> for Sealed {
    fn from(stored: String) -> Sealed {
        Sealed(stored)
    }
}

/// Why a stored value did not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("not a sealed value")]
    NotSealed,
    #[error("sealed under key {0}, which is not in the keyring (CAMPUS_DATA_KEY)")]
    UnknownKey(u32),
    #[error("the value does not open with its key (damaged, or moved from another column)")]
    Damaged,
}

struct DataKey {
    id: u32,
    aead: LessSafeKey,
    index: hmac::Key,
}

/// The data keys: the first seals, any opens.
///
/// A keyring read from `data/data.key` re-reads the file when it meets a key id it does not
/// hold, so a running server opens what `campus rotate-data-key` has just re-sealed under a new
/// key (and seals under the new key from then on).
pub struct Keyring {
    keys: RwLock<Arc<Vec<DataKey>>>,
    file: Option<PathBuf>,
    rng: SystemRandom,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("key_ids", &self.ids()).finish_non_exhaustive()
    }
}

impl Keyring {
    /// Parses `<id>:<64 hex>[,<id>:<64 hex>...]` (the current key first) or one bare 64-hex key.
    pub fn parse(spec: &str) -> anyhow::Result<Keyring> {
        Ok(Keyring { keys: RwLock::new(Arc::new(parse_keys(spec)?)), file: None, rng: SystemRandom::new() })
    }

    /// `CAMPUS_DATA_KEY` when given, else `data_dir/data.key`, created with one new key.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Keyring> {
        if let Some(spec) = configured {
            return Keyring::parse(spec);
        }
        let path = key_file(data_dir);
        let spec = match std::fs::read_to_string(&path) {
            Ok(spec) => spec,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let spec = format!("1:{}", new_key_hex());
                write_private(&path, &spec)?;
                spec
            }
            Err(e) => anyhow::bail!("reading {}: {e}", path.display()),
        };
        Ok(Keyring { keys: RwLock::new(Arc::new(parse_keys(&spec)?)), file: Some(path), rng: SystemRandom::new() })
    }

    /// Whether the keys come from `data/data.key` (which `rotate-data-key` may extend) rather
    /// than from `CAMPUS_DATA_KEY`.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    fn keys(&self) -> Arc<Vec<DataKey>> {
        match self.keys.read() {
            Ok(keys) => keys.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The keys again from the file, when they come from one and it now holds key `id`.
    fn reload_for(&self, id: u32) -> Option<Arc<Vec<DataKey>>> {
        let spec = std::fs::read_to_string(self.file.as_ref()?).ok()?;
        let keys = Arc::new(parse_keys(&spec).ok()?);
        if !keys.iter().any(|k| k.id == id) {
            return None;
        }
        tracing::info!(key_ids = ?keys.iter().map(|k| k.id).collect::<Vec<_>>(), "data keys reloaded");
        match self.keys.write() {
            Ok(mut held) => *held = keys.clone(),
            Err(poisoned) => *poisoned.into_inner() = keys.clone(),
        }
        Some(keys)
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> u32 {
        self.keys()[0].id
    }

    pub fn ids(&self) -> Vec<u32> {
        self.keys().iter().map(|k| k.id).collect()
    }

    /// Seals `plain` for `column` (e.g. `"orders.address"`) under the current key. An empty
    /// value stays empty: it says nothing about anyone, and "none given" stays visible.
    pub fn seal(&self, column: &str, plain: &str) -> Sealed {
        if plain.is_empty() {
            return Sealed::default();
        }
        let keys = self.keys();
        let key = &keys[0];
        let mut nonce = [0u8; NONCE_LEN];
        // The system's generator failing leaves nothing safe to do; it does not fail on Linux.
        #[allow(clippy::expect_used)]
        self.rng.fill(&mut nonce).expect("the system random generator failed");
        let mut buf = plain.as_bytes().to_vec();
        #[allow(clippy::expect_used)]
        key.aead
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(column.as_bytes()), &mut buf)
            .expect("AES-GCM seals any input under 64 GiB");
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&buf);
        Sealed(format!("k{}:{}", key.id, B64.encode(raw)))
    }

    /// Seals an optional value; `None` stays `None` (a NULL column).
    pub fn seal_opt(&self, column: &str, plain: Option<&str>) -> Option<Sealed> {
        plain.map(|p| self.seal(column, p))
    }

    /// The plaintext of a value sealed for `column`.
    pub fn open(&self, column: &str, sealed: &Sealed) -> Result<String, OpenError> {
        let (id, body) = split(&sealed.0).ok_or(OpenError::NotSealed)?;
        let mut keys = self.keys();
        if !keys.iter().any(|k| k.id == id) {
            keys = self.reload_for(id).ok_or(OpenError::UnknownKey(id))?;
        }
        let key = keys.iter().find(|k| k.id == id).ok_or(OpenError::UnknownKey(id))?;
        let raw = B64.decode(body).map_err(|_| OpenError::NotSealed)?;
        if raw.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(OpenError::NotSealed);
        }
        let (nonce, rest) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError::Damaged)?;
        let mut buf = rest.to_vec();
        let plain =
            key.aead.open_in_place(nonce, Aad::from(column.as_bytes()), &mut buf).map_err(|_| OpenError::Damaged)?;
        String::from_utf8(plain.to_vec()).map_err(|_| OpenError::Damaged)
    }

    /// What a page shows of a stored value: the plaintext, or — when it does not open, which
    /// only a keyring missing an old key causes — a mark that says so, logged once per call.
    pub fn show(&self, column: &str, sealed: &Sealed) -> String {
        if sealed.is_empty() {
            return String::new();
        }
        match self.open(column, sealed) {
            Ok(plain) => plain,
            Err(e) => {
                tracing::error!(column, error = %e, "a sealed value did not open");
                "（无法解密）".into()
            }
        }
    }

    pub fn show_opt(&self, column: &str, sealed: Option<&Sealed>) -> Option<String> {
        sealed.map(|s| self.show(column, s)).filter(|s| !s.is_empty())
    }

    /// The blind index of `value` under the current key, for storing beside the sealed value.
    pub fn blind(&self, column: &str, value: &str) -> String {
        blind_with(&self.keys()[0], column, value)
    }

    /// The blind index of `value` under every key, for lookups (`IN (...)`): a row written
    /// before a rotation finished still carries an older key's index.
    pub fn blind_all(&self, column: &str, value: &str) -> Vec<String> {
        self.keys().iter().map(|k| blind_with(k, column, value)).collect()
    }

    /// Whether `stored` is already sealed under the current key (rotation skips it).
    pub fn is_current(&self, stored: &str) -> bool {
        split(stored).is_some_and(|(id, _)| id == self.current_id())
    }
}

fn parse_keys(spec: &str) -> anyhow::Result<Vec<DataKey>> {
    let mut keys: Vec<DataKey> = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (id, hex_key) = match part.split_once(':') {
            Some((id, k)) => {
                (id.trim().parse::<u32>().map_err(|_| anyhow::anyhow!("data key id {id:?} is not a number"))?, k.trim())
            }
            None => (1, part),
        };
        let bytes = hex::decode(hex_key).map_err(|_| anyhow::anyhow!("data key {id} is not hex"))?;
        if bytes.len() != 32 {
            anyhow::bail!("data key {id} must be 32 bytes (64 hex characters)");
        }
        if keys.iter().any(|k| k.id == id) {
            anyhow::bail!("data key id {id} appears twice");
        }
        let aead = LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| anyhow::anyhow!("data key {id} is not usable"))?,
        );
        // The index key is derived, so one configured key serves both purposes separately.
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &bytes), b"campus blind index v1");
        keys.push(DataKey { id, aead, index: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()) });
    }
    if keys.is_empty() {
        anyhow::bail!("the data keyring holds no key");
    }
    Ok(keys)
}

fn blind_with(key: &DataKey, column: &str, value: &str) -> String {
    let mut ctx = hmac::Context::with_key(&key.index);
    ctx.update(column.as_bytes());
    ctx.update(&[0]);
    ctx.update(value.trim().as_bytes());
    format!("k{}:{}", key.id, hex::encode(&ctx.sign().as_ref()[..16]))
}

/// `k<id>:<body>` → `(id, body)`.
fn split(stored: &str) -> Option<(u32, &str)> {
    let rest = stored.strip_prefix('k')?;
    let (id, body) = rest.split_once(':')?;
    Some((id.parse().ok()?, body))
}

/// Whether a stored value looks sealed at all (plaintext left from before sealing does not).
pub fn looks_sealed(stored: &str) -> bool {
    split(stored).is_some_and(|(_, body)| B64.decode(body).is_ok_and(|raw| raw.len() >= NONCE_LEN + 16))
}

pub fn key_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("data.key")
}

/// Puts a new key first in the key file (the old ones stay, to open what is not yet re-sealed)
/// and answers its id.
pub fn add_key_to_file(path: &Path) -> anyhow::Result<u32> {
    let spec = std::fs::read_to_string(path).unwrap_or_default();
    let held = if spec.trim().is_empty() { Vec::new() } else { parse_keys(&spec)? };
    let id = held.iter().map(|k| k.id).max().unwrap_or(0) + 1;
    let mut entries = vec![format!("{id}:{}", new_key_hex())];
    entries.extend(spec.split(',').map(str::trim).filter(|p| !p.is_empty()).map(|p| {
        // A bare key is key 1.
        if p.contains(':') { p.to_string() } else { format!("1:{p}") }
    }));
    write_private(path, &entries.join(","))?;
    Ok(id)
}

pub fn new_key_hex() -> String {
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
    hex::encode(key)
}

pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
