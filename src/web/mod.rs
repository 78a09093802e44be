//! Shared web plumbing: state, extractors, CSRF, flash, pagination, assets, uploads, headers,
//! observability and rate limits. Modules build their pages on these.

pub mod api;
pub mod assets;
pub mod csrf;
pub mod errors;
pub mod filters;
pub mod forms;
pub mod guard;
pub mod headers;
pub mod media;
pub mod observe;
pub mod page;
pub mod pagination;
pub mod pdf;
pub mod perm;
pub mod qr;
pub mod ratelimit;
pub mod readiness;
pub mod redis_store;
pub mod session;
pub mod storage;
pub mod time;
pub mod timed_store;
pub mod xlsx;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

pub use self::guard::RequirePerm;
pub use self::page::{Accounts, CurrentUser, Role};
pub use self::perm::{AdminRole, Permission, need};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppResult;

/// A yes/no setting read through the settings cache (which may go to the database).
pub type SettingCheck = dyn Fn(&mut crate::db::DbConn) -> AppResult<bool> + Send + Sync;

/// What the web plumbing itself needs at run time: the configuration, the database, metrics, how
/// to find the signed-in user, and the site's name for layouts. `app.rs` registers it once; the
/// plumbing knows nothing of the modules above it (they register their own state beside it).
#[derive(Clone)]
pub struct WebState {
    pub config: Arc<Config>,
    pub db: Db,
    pub metrics: Arc<observe::Metrics>,
    pub accounts: Arc<dyn Accounts>,
    pub site_name: Arc<dyn Fn() -> String + Send + Sync>,
    /// The Redis connection when `CAMPUS_REDIS_URL` is set (made at start-up), for `/ready`.
    pub redis: Arc<std::sync::OnceLock<redis::aio::ConnectionManager>>,
    /// Draining before a stop, or building the search index: `/ready` says so.
    pub readiness: Arc<readiness::Readiness>,
    /// Whether admins must sign in with two factors (a setting, cached for a few seconds).
    pub admin_2fa_required: Arc<SettingCheck>,
    /// Where uploads live (data dir or S3); the same store as `AppState::media`.
    pub media: storage::Storage,
}

/// Renders a template as an HTML response.
pub fn render(template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(template.render()?))
}

/// 303 to `to`; for htmx requests the `HX-Redirect` header does the same in the browser.
/// Every redirect goes through [`safe_next`], so no target, however built, leaves the site or
/// makes an invalid header.
pub fn see_other(req: &HttpRequest, to: &str) -> HttpResponse {
    let to = safe_next(Some(to));
    if is_htmx(req) {
        HttpResponse::Ok().insert_header(("HX-Redirect", to)).finish()
    } else {
        HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
    }
}

pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

/// A redirect target or link from user input, `/` unless it is a [`local_path`].
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_path).unwrap_or("/").to_string()
}

/// `candidate` when it is a path on this site: one leading `/` followed by neither `/` nor `\`,
/// no whitespace or control character anywhere, and none of that hidden behind percent-encoding.
/// Browsers drop tabs and newlines inside a URL and read `\` as `/`, so `/\t/evil.example` and
/// `/\evil.example` both mean `//evil.example`, another site.
pub fn local_path(candidate: &str) -> Option<&str> {
    let plain = |p: &[u8]| {
        p.first() == Some(&b'/') && !matches!(p.get(1), Some(b'/' | b'\\')) && !p.iter().any(|b| b.is_ascii_control())
    };
    let ok = candidate.len() <= 2048
        && !candidate.chars().any(|c| c.is_whitespace() || c.is_control())
        && plain(candidate.as_bytes())
        && plain(&percent_decode(candidate));
    ok.then_some(candidate)
}

/// Decodes `%XX` escapes once; anything else stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) =
                (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The client's address: the peer, or `X-Forwarded-For`'s first hop when `CAMPUS_TRUST_PROXY=1`
/// (only behind a proxy that sets it, or anyone could pick their own address).
pub fn client_ip(req: &HttpRequest) -> String {
    let trust_proxy = req.app_data::<actix_web::web::Data<WebState>>().is_some_and(|s| s.config.trust_proxy);
    if trust_proxy && let Some(ip) = req.connection_info().realip_remote_addr() {
        return ip.to_string();
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Whether a request came through a proxy (nginx sets `X-Forwarded-For`): its peer address is
/// then the proxy's, and says nothing about where the request came from.
pub fn is_proxied(req: &HttpRequest) -> bool {
    ["x-forwarded-for", "forwarded", "x-real-ip"].iter().any(|h| req.headers().contains_key(*h))
}

/// One-click demo logins: configured on and allowed for this server ([`Config::dev_login_allowed`]),
/// and this request not relayed by a proxy — a loopback-bound instance behind nginx is public.
pub fn dev_login_allowed(req: &HttpRequest, config: &Config) -> bool {
    config.dev_login_allowed() && !is_proxied(req)
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 hex of a secret token: what we store instead of the token.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}
