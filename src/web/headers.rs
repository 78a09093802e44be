//! Security headers on every response.
//!
//! The CSP allows only our own origin (inline styles and scripts are refused; htmx is told not
//! to inject its indicator style). WeUI's icons are `data:` SVGs, hence `img-src data:`. Nothing
//! may frame us: the WeChat `<web-view>` is a browser of its own, not a frame.
//!
//! Nothing is cached unless its handler says so (`Cache-Control: no-store` is the default): pages
//! and downloads hold someone's orders, messages or customers, and a shared or back-button cache
//! must not keep them. Only `/static` (fingerprinted, a year) and `/media` set their own caching.
//!
//! Served over https (`CAMPUS_COOKIE_SECURE=1`), HSTS tells browsers never to try plain http
//! again, so nobody on the campus Wi-Fi can strip the TLS off a later visit.

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;

pub fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"))
        // Added only where a handler set no Cache-Control of its own.
        .add((header::CACHE_CONTROL, "no-store"));
    if https {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains"))
    } else {
        headers
    }
}
