//! Shared web plumbing: state, extractors, CSRF, flash, pagination, assets, uploads, headers,
//! observability and rate limits. Modules build their pages on these.

pub mod api;
pub mod assets;
pub mod csrf;
pub mod filters;
pub mod forms;
pub mod headers;
pub mod media;
pub mod observe;
pub mod page;
pub mod pagination;
pub mod ratelimit;
pub mod session;

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

pub use self::page::{Accounts, CurrentUser, Role};
use crate::config::Config;
use crate::db::Db;
use crate::error::AppResult;

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
}

/// Renders a template as an HTML response.
pub fn render(template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(template.render()?))
}

/// 303 to `to`; for htmx requests the `HX-Redirect` header does the same in the browser.
pub fn see_other(req: &HttpRequest, to: &str) -> HttpResponse {
    if is_htmx(req) {
        HttpResponse::Ok().insert_header(("HX-Redirect", to)).finish()
    } else {
        HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
    }
}

pub fn is_htmx(req: &HttpRequest) -> bool {
    req.headers().contains_key("hx-request")
}

/// A redirect target from user input: only same-site absolute paths, never `//host` or a scheme.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\r', '\n']) => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
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
