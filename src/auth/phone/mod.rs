//! The phone number of an account, proved by SMS code: bind or change it (`/me/phone`), sign in
//! with it (`/login/phone`), reset the password with it (`/password/forgot`, see `reset`).
//!
//! Rules: a mainland mobile number (`Phone`); a number belongs to at most one account (a unique
//! index on `users.phone`, the loser of a race gets 409); changing a bound number needs the
//! current password, or, for a WeChat-only account, a code sent to the old number. Signing in by
//! code never creates an account. Codes: 6 digits, 10 minutes, 5 tries, hashed, used once
//! (`codes`); sending: per address, one a minute and 10 a day per number (`sending`).
//!
//! `queries` is the only place that touches `users.phone`.

pub mod bind;
pub mod login;
pub mod queries;
pub mod reset;
pub mod sending;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

use crate::error::{AppError, AppResult};
use crate::web::filters;
use crate::web::page::Page;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/phone", web::get().to(bind::show_phone))
        .route("/me/phone", web::post().to(bind::confirm_phone))
        .route("/me/phone/code", web::post().to(bind::send_bind_code))
        .route("/me/phone/old-code", web::post().to(bind::send_old_phone_code))
        .route("/login/phone", web::get().to(login::show_phone_login))
        .route("/login/phone", web::post().to(login::phone_login))
        .route("/login/phone/code", web::post().to(login::send_login_code));
}

#[derive(Template)]
#[template(path = "auth/phone.html")]
pub struct PhonePage {
    pub page: Page,
    /// The number bound now, if any.
    pub current: Option<String>,
    pub has_password: bool,
    /// The new number being bound (typed in, or carried over after a code was sent).
    pub phone: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/login_phone.html")]
pub struct PhoneLoginPage {
    pub page: Page,
    pub next: String,
    pub phone: String,
    pub error: Option<String>,
}

impl PhoneLoginPage {
    /// `next`, fit for a link's query.
    pub fn next_q(&self) -> String {
        crate::web::url_encode(&self.next)
    }
}

/// Renders `page` with `status`.
pub fn html(status: StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}

/// The refusals a phone form shows beside its fields, with their status (422, 409, 429, 502...);
/// `None` for errors that are not the user's to fix here (they take the error page).
pub fn refusal(err: &AppError) -> Option<(StatusCode, String)> {
    match err {
        AppError::Invalid(m)
        | AppError::Conflict(m)
        | AppError::RateLimited(m)
        | AppError::Upstream(m)
        | AppError::Denied(m) => Some((err.status_code(), m.clone())),
        AppError::Forbidden => Some((StatusCode::FORBIDDEN, "该账号已被封禁，如有疑问请联系管理员".into())),
        _ => None,
    }
}

/// Clips what a user typed before it is shown again.
pub fn shown(raw: &str) -> String {
    raw.chars().take(20).collect()
}
