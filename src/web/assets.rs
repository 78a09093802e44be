//! Static files embedded in the binary: content type, strong ETag, 304, long cache.
//!
//! Pages link assets through [`url`], which appends `?v=<hash>` so a changed file gets a new URL
//! and the old one may be cached for a year.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
#[exclude = "*.md"]
struct Assets;

/// Each embedded file's fingerprinted URL, worked out once: layouts ask for several per page.
fn urls() -> &'static HashMap<String, String> {
    static URLS: OnceLock<HashMap<String, String>> = OnceLock::new();
    URLS.get_or_init(|| {
        Assets::iter()
            .filter_map(|path| {
                let file = Assets::get(&path)?;
                let hash = hex::encode(file.metadata.sha256_hash());
                Some((path.to_string(), format!("/static/{path}?v={}", &hash[..12])))
            })
            .collect()
    })
}

/// The fingerprinted URL of an embedded asset.
pub fn url(path: &str) -> std::borrow::Cow<'static, str> {
    match urls().get(path) {
        Some(url) => std::borrow::Cow::Borrowed(url.as_str()),
        None => std::borrow::Cow::Owned(format!("/static/{path}")),
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `GET /static/{path}`.
pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let file = Assets::get(&path).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if not_modified {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(content_type(&path))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned()))
}

/// `GET /favicon.ico`: browsers ask for it at the root whatever the page links.
pub async fn favicon(req: HttpRequest) -> Result<HttpResponse, AppError> {
    serve(req, web::Path::from("img/favicon.ico".to_string())).await
}

/// `GET /apple-touch-icon.png`: the home-screen icon iOS looks for at the root.
pub async fn touch_icon(req: HttpRequest) -> Result<HttpResponse, AppError> {
    serve(req, web::Path::from("img/apple-touch-icon.png".to_string())).await
}
