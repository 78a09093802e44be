//! 手机验证码登录 (`/login/phone`): a code to a number bound to an account, then the code. An
//! unknown number is refused (an account is never made by SMS); a banned account is refused as
//! at password sign-in; an account with two-factor on still takes its second step.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::sending::{deliver, secret, target};
use super::{PhoneLoginPage, html, queries, refusal, shown};
use crate::auth::codes::{self, PHONE_LOGIN, limit};
use crate::auth::models::{Phone, STATUS_ACTIVE};
use crate::auth::service;
use crate::auth::signin::begin_session;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{MaybeUser, Page};
use crate::web::{client_ip, safe_next, see_other, session, url_encode};

#[derive(Deserialize)]
pub struct LoginQuery {
    phone: Option<String>,
    next: Option<String>,
}

/// `GET /login/phone`.
pub async fn show_phone_login(
    req: HttpRequest,
    page: Page,
    user: MaybeUser,
    q: web::Query<LoginQuery>,
) -> AppResult<HttpResponse> {
    let next = safe_next(q.next.as_deref());
    if user.0.is_some() {
        return Ok(see_other(&req, &next));
    }
    let phone = shown(q.phone.as_deref().unwrap_or_default());
    html(StatusCode::OK, &PhoneLoginPage { page, next, phone, error: None })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

fn refuse(page: Page, next: String, phone: String, err: AppError) -> AppResult<HttpResponse> {
    match refusal(&err) {
        Some((status, message)) => html(status, &PhoneLoginPage { page, next, phone, error: Some(message) }),
        None => Err(err),
    }
}

/// `POST /login/phone/code`.
pub async fn send_login_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let next = safe_next(form.next.as_deref());
    let typed = shown(&form.phone);
    match send(&req, &state, &form.phone).await {
        Ok(phone) => {
            session::flash(&session, "success", "验证码已发送，10 分钟内有效");
            let to = format!("/login/phone?phone={}&next={}", url_encode(phone.as_str()), url_encode(&next));
            Ok(see_other(&req, &to))
        }
        Err(e) => refuse(page, next, typed, e),
    }
}

async fn send(req: &HttpRequest, state: &AppState, raw: &str) -> AppResult<Phone> {
    let phone = Phone::parse(raw).map_err(AppError::Invalid)?;
    let number = phone.as_str().to_string();
    let keys = state.keys.clone();
    let holder = state.db.run(move |conn| queries::find_user_by_phone(conn, &keys, &number)).await?;
    let Some((user_id, status)) = holder else {
        // Counts like a send, so trying numbers to find accounts runs into the address limit.
        limit(&state.sms_limiter, &[&format!("sms-send:ip:{}", client_ip(req))], "获取短信验证码").await?;
        return Err(AppError::invalid(
            "该手机号还没有绑定账号。请先用微信或账号密码登录，在“我的 → 账号与安全”中绑定手机号",
        ));
    };
    if status != STATUS_ACTIVE {
        return Err(AppError::Forbidden);
    }
    let code_target = target(&secret(state), &phone);
    deliver(state, &client_ip(req), PHONE_LOGIN, Some(user_id), &phone, code_target).await?;
    Ok(phone)
}

/// `POST /login/phone`: the number and its code.
pub async fn phone_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    let typed = shown(&form.phone);
    let user_id = match check(&req, &state, &form).await {
        Ok(id) => id,
        Err(e) => return refuse(page, next, typed, e),
    };
    // Two-factor on: the phone code is the first factor only.
    if state.db.run(move |conn| Ok(crate::auth::two_factor::is_on(conn, user_id)?)).await? {
        crate::auth::two_factor::pages::await_code(&session, user_id, None, "phone", &next)?;
        return Ok(see_other(&req, "/login/2fa"));
    }
    let ip = client_ip(&req);
    if let Err(e) = state.db.run(move |conn| service::complete_login(conn, user_id, None, "phone", &ip)).await {
        return refuse(page, next, typed, e);
    }
    begin_session(&req, &state, &session, user_id).await?;
    Ok(see_other(&req, &next))
}

/// The account the code signs in to.
async fn check(req: &HttpRequest, state: &AppState, form: &LoginForm) -> AppResult<i64> {
    let phone = Phone::parse(&form.phone).map_err(AppError::Invalid)?;
    if form.code.trim().is_empty() {
        return Err(AppError::invalid("请输入短信中的 6 位验证码"));
    }
    let key = secret(state);
    let number = target(&key, &phone);
    let ip_key = format!("phone-login:ip:{}", client_ip(req));
    limit(&state.code_limiter, &[&ip_key, &format!("phone-login:{number}")], "登录尝试").await?;
    let code = form.code.clone();
    let holder = state.db.run(move |conn| codes::redeem(conn, &key, PHONE_LOGIN, &number, &code)).await?;
    let number = phone.as_str().to_string();
    let keys = state.keys.clone();
    let owner = state.db.run(move |conn| queries::find_user_by_phone(conn, &keys, &number)).await?;
    match (holder, owner) {
        // The code was sent to this account's number, and the number is still its own.
        (Some(id), Some((owner, _))) if id == owner => Ok(id),
        _ => Err(AppError::invalid("验证码错误或已失效，请重新获取")),
    }
}
