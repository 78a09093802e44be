//! Pages of two-factor sign-in: the sign-in's second step (`/login/2fa`) and the desk page where
//! admins and merchants turn it on and off (`/me/2fa`).
//!
//! Between the password and the code the session holds only a short-lived "password passed"
//! note ([`AwaitingCode`]): no session record is opened and nothing signed-in is reachable until
//! the code passes.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{Passed, Status};
use crate::auth::service;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{client_ip, render, safe_next, see_other, session};

const AWAITING: &str = "mfa";
/// How long the second step may take after the password.
const AWAIT_SECS: i64 = 5 * 60;

/// A sign-in whose password passed and whose code is still to come.
#[derive(Serialize, Deserialize)]
struct AwaitingCode {
    user_id: i64,
    /// The password login used (none for WeChat).
    auth_id: Option<i64>,
    /// How the first factor passed: `password` or `wechat`.
    first: String,
    next: String,
    until: i64,
}

/// After the first factor (the right password, a WeChat ticket) for an account with two-factor
/// on: remember the half-done sign-in (in the encrypted session cookie) and ask for the code.
pub fn await_code(session: &Session, user_id: i64, auth_id: Option<i64>, first: &str, next: &str) -> AppResult<()> {
    let until = crate::db::now().and_utc().timestamp() + AWAIT_SECS;
    let note = AwaitingCode { user_id, auth_id, first: first.to_string(), next: next.to_string(), until };
    session.renew();
    session.insert(AWAITING, note).map_err(|e| AppError::internal(anyhow::anyhow!("session: {e}")))
}

fn awaiting(session: &Session) -> Option<AwaitingCode> {
    let note = session.get::<AwaitingCode>(AWAITING).ok().flatten()?;
    (note.until > crate::db::now().and_utc().timestamp()).then_some(note)
}

#[derive(Template)]
#[template(path = "auth/login_2fa.html")]
pub struct SecondStepPage {
    pub page: Page,
    pub error: Option<String>,
}

fn second_step(status: StatusCode, page: Page, error: String) -> AppResult<HttpResponse> {
    let html = SecondStepPage { page, error: Some(error) }.render()?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html))
}

fn start_over(req: &HttpRequest, session: &Session) -> HttpResponse {
    session.remove(AWAITING);
    session::flash(session, "error", "登录已超时，请重新输入用户名和密码");
    see_other(req, "/login")
}

/// `GET /login/2fa`.
pub async fn show_second_step(req: HttpRequest, session: Session, page: Page) -> AppResult<HttpResponse> {
    if awaiting(&session).is_none() {
        return Ok(start_over(&req, &session));
    }
    render(&SecondStepPage { page, error: None })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/2fa`: the code; the sign-in completes only when it passes.
pub async fn submit_second_step(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let Some(note) = awaiting(&session) else {
        return Ok(start_over(&req, &session));
    };
    let key = format!("2fa:{}", note.user_id);
    let limiter = state.login_limiter.clone();
    if let Err(wait) = limiter.try_take(&[&key]).await {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return second_step(
            StatusCode::TOO_MANY_REQUESTS,
            page,
            format!("验证码错误次数过多，请 {minutes} 分钟后再试"),
        );
    }
    let (uid, code, ip) = (note.user_id, form.code.chars().take(64).collect::<String>(), client_ip(&req));
    let passed = match state.db.run(move |conn| super::verify_sign_in(conn, uid, &code, &ip)).await {
        Ok(passed) => passed,
        Err(AppError::Invalid(msg) | AppError::Conflict(msg)) => {
            return second_step(StatusCode::UNPROCESSABLE_ENTITY, page, msg);
        }
        Err(e) => return Err(e),
    };
    limiter.clear(&key);
    let (auth_id, ip) = (note.auth_id, client_ip(&req));
    let method = format!("{}+{}", note.first, if passed == Passed::Totp { "totp" } else { "recovery" });
    match state.db.run(move |conn| service::complete_login(conn, uid, auth_id, &method, &ip)).await {
        Ok(()) => {}
        Err(AppError::Forbidden) => {
            session.remove(AWAITING);
            return second_step(StatusCode::FORBIDDEN, page, "该账号已被封禁，如有疑问请联系管理员".into());
        }
        Err(e) => return Err(e),
    }
    session.remove(AWAITING);
    crate::auth::signin::begin_session(&req, &state, &session, uid).await?;
    if passed == Passed::Recovery {
        session::flash(&session, "info", "你用一个恢复码登录了，它已失效。手机丢失的话，请关闭后重新开启两步验证。");
    }
    Ok(see_other(&req, &safe_next(Some(&note.next))))
}

#[derive(Template)]
#[template(path = "auth/two_factor.html")]
pub struct TwoFactorPage {
    pub page: Page,
    pub status: Status,
    /// The enrolment QR code (SVG) while enrolling.
    pub qr_svg: String,
    /// Recovery codes, on the one page that shows them.
    pub recovery: Vec<String>,
    /// Sent here because admins must use two-factor.
    pub required: bool,
    pub error: Option<String>,
}

impl TwoFactorPage {
    /// `off`, `enrolling` or `on`.
    pub fn state(&self) -> &'static str {
        match self.status {
            Status::Off => "off",
            Status::Enrolling(_) => "enrolling",
            Status::On { .. } => "on",
        }
    }

    pub fn recovery_left(&self) -> i64 {
        match self.status {
            Status::On { recovery_left } => recovery_left,
            _ => 0,
        }
    }

    pub fn secret_groups(&self) -> String {
        match &self.status {
            Status::Enrolling(p) => {
                p.secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c)).collect::<Vec<_>>().join(" ")
            }
            _ => String::new(),
        }
    }
}

/// Two-factor sign-in is for the desk's users: admins and merchants.
fn staff(user: &CurrentUser) -> AppResult<()> {
    if user.is_admin() || user.is_merchant() {
        Ok(())
    } else {
        Err(AppError::Denied("两步验证面向管理员和商家账号".into()))
    }
}

async fn two_factor_page(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    recovery: Vec<String>,
    error: Option<(StatusCode, String)>,
    required: bool,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let status = state.db.run(move |conn| super::status(conn, uid)).await?;
    let qr_svg = match &status {
        Status::Enrolling(p) => {
            let account = state.db.run(move |conn| service::names_of(conn, uid)).await?;
            let account = if account.1.is_empty() { account.0 } else { account.1 };
            crate::web::qr::svg(&p.uri(&(state.settings.site_name()), &account))?
        }
        _ => String::new(),
    };
    let (code, error) = match error {
        Some((code, msg)) => (code, Some(msg)),
        None => (StatusCode::OK, None),
    };
    let html = TwoFactorPage { page, status, qr_svg, recovery, required, error }.render()?;
    Ok(HttpResponse::build(code).content_type("text/html; charset=utf-8").body(html))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    required: Option<String>,
}

/// `GET /me/2fa`.
pub async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<ShowQuery>,
) -> AppResult<HttpResponse> {
    if staff(&user).is_err() {
        // A student who follows a link here is told what it is and where her own account's
        // safety is, on a page of her own (not a bare "没有权限").
        let html = askama::Template::render(&NotForStudentsPage { page })?;
        return Ok(HttpResponse::Forbidden().content_type("text/html; charset=utf-8").body(html));
    }
    let required = q.required.is_some() && !user.two_factor;
    two_factor_page(&state, page, &user, Vec::new(), None, required).await
}

/// `/me/2fa` for an account that is neither admin nor merchant.
#[derive(Template)]
#[template(path = "auth/two_factor_not_for_students.html")]
pub struct NotForStudentsPage {
    pub page: Page,
}

/// `POST /me/2fa/start`: a new secret to scan.
pub async fn start(req: HttpRequest, state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    staff(&user)?;
    let uid = user.id;
    state.db.run(move |conn| super::start(conn, uid)).await?;
    Ok(see_other(&req, "/me/2fa"))
}

/// `POST /me/2fa/enable`: the first code; answers with the recovery codes, shown this once.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    staff(&user)?;
    let (uid, code, ip) = (user.id, form.code.chars().take(64).collect::<String>(), client_ip(&req));
    match state.db.run(move |conn| super::confirm(conn, uid, &code, &ip)).await {
        Ok(codes) => two_factor_page(&state, page, &user, codes, None, false).await,
        Err(AppError::Invalid(msg)) => {
            two_factor_page(&state, page, &user, Vec::new(), Some((StatusCode::UNPROCESSABLE_ENTITY, msg)), false).await
        }
        Err(e) => Err(e),
    }
}

/// `POST /me/2fa/disable`: needs a current code (or a recovery code).
pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    staff(&user)?;
    let key = format!("2fa:{}", user.id);
    if let Err(wait) = state.login_limiter.try_take(&[&key]).await {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let msg = format!("验证码错误次数过多，请 {minutes} 分钟后再试");
        return two_factor_page(&state, page, &user, Vec::new(), Some((StatusCode::TOO_MANY_REQUESTS, msg)), false)
            .await;
    }
    let (uid, code, ip) = (user.id, form.code.chars().take(64).collect::<String>(), client_ip(&req));
    match state.db.run(move |conn| super::disable(conn, uid, &code, &ip)).await {
        Ok(()) => {
            state.login_limiter.clear(&key);
            session::flash(&session, "success", "两步验证已关闭");
            Ok(see_other(&req, "/me/2fa"))
        }
        Err(AppError::Invalid(msg) | AppError::Conflict(msg)) => {
            two_factor_page(&state, page, &user, Vec::new(), Some((StatusCode::UNPROCESSABLE_ENTITY, msg)), false).await
        }
        Err(e) => Err(e),
    }
}
