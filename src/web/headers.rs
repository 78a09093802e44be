//! Security headers on every response.
//!
//! The CSP allows only our own origin (inline styles and scripts are refused; htmx is told not
//! to inject its indicator style). WeUI's icons are `data:` SVGs, hence `img-src data:`. Nothing
//! may frame us: the WeChat `<web-view>` is a browser of its own, not a frame.

use actix_web::middleware::DefaultHeaders;

pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"))
}
