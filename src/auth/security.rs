//! 我的 → 账号与安全 (`/me/security`): change the password, see the signed-in devices, sign one
//! or all others out; and the way back from a forgotten password (`/password/forgot`,
//! `/password/reset`) by a code mailed to the account's email or sent by SMS to its phone
//! (`phone::reset`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::codes::limit;
use super::models::{Email, NewPassword, Phone};
use super::views::{ForgotPage, ResetPage, SecurityPage};
use super::{password, passwords, phone, sessions};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{client_ip, render, see_other, session, url_encode};

fn html(status: StatusCode, template: &impl askama::Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}

fn secret(state: &AppState) -> Vec<u8> {
    state.config.secret_key.expose_secret().as_bytes().to_vec()
}

async fn security_page(
    state: &AppState,
    session: &Session,
    page: Page,
    user_id: i64,
    error: Option<String>,
) -> AppResult<SecurityPage> {
    let record = session::signed_in(session).map(|(_, r)| r);
    let keys = state.keys.clone();
    let (sessions, has_password, phone) = state
        .db
        .run(move |conn| {
            Ok((
                sessions::list(conn, user_id, record.as_deref())?,
                passwords::password_of(conn, user_id)?.is_some(),
                phone::queries::phone_of(conn, &keys, user_id)?,
            ))
        })
        .await?;
    Ok(SecurityPage { page, sessions, has_password, phone, error })
}

/// `GET /me/security`.
pub async fn show_security(
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    render(&security_page(&state, &session, page, user.id, None).await?)
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

/// `POST /me/security/password`: the current password, then the new one twice. Every other
/// session of the user ends; this one stays.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<ChangeForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let uid = user.id;
    limit(&state.code_limiter, &[&format!("password-change:{uid}")], "修改密码").await?;
    let refuse = async |page: Page, status: StatusCode, message: &str| {
        html(status, &security_page(&state, &session, page, uid, Some(message.to_string())).await?)
    };
    let new = match NewPassword::parse(&form.new_password) {
        Ok(p) => p,
        Err(msg) => return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, &msg).await,
    };
    if form.new_password != form.new_password2 {
        return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, "两次输入的新密码不一致").await;
    }
    if form.current_password.is_empty() || form.current_password.len() > 256 {
        return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, "请输入当前密码").await;
    }
    let Some((auth_id, hash)) = state.db.run(move |conn| passwords::password_of(conn, uid)).await? else {
        return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, "你使用微信登录，账号没有设置密码").await;
    };
    let current = form.current_password.clone();
    let new_hash = web::block(move || -> AppResult<Option<String>> {
        if !password::verify(&current, &hash) {
            return Ok(None);
        }
        password::hash(new.as_str()).map(Some)
    })
    .await??;
    let Some(new_hash) = new_hash else {
        return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, "当前密码不正确").await;
    };
    let keep = session::signed_in(&session).map(|(_, r)| r);
    let ip = client_ip(&req);
    state.db.run(move |conn| passwords::change_password(conn, uid, auth_id, &new_hash, keep.as_deref(), &ip)).await?;
    session::flash(&session, "success", "密码已修改，其他设备上的登录已退出");
    Ok(see_other(&req, "/me/security"))
}

/// `POST /me/security/sessions/{id}/end`: signs one of the user's own devices out.
pub async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    if id.len() > 128 {
        return Err(AppError::NotFound);
    }
    let uid = user.id;
    state.db.run(move |conn| sessions::close_one(conn, uid, &id)).await?;
    session::flash(&session, "success", "该设备已退出登录");
    Ok(see_other(&req, "/me/security"))
}

/// `POST /me/security/sessions/end-others`.
pub async fn end_other_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let keep = session::signed_in(&session).map(|(_, r)| r);
    let ended = state.db.run(move |conn| sessions::close_others(conn, uid, keep.as_deref())).await?;
    session::flash(&session, "success", format!("已退出其他 {ended} 台设备"));
    Ok(see_other(&req, "/me/security"))
}

#[derive(Deserialize)]
pub struct EmailQuery {
    email: Option<String>,
    phone: Option<String>,
}

/// `GET /password/forgot`.
pub async fn show_forgot(page: Page, q: web::Query<EmailQuery>) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let email = q.email.unwrap_or_default().chars().take(100).collect();
    let phone = q.phone.unwrap_or_default().chars().take(20).collect();
    render(&ForgotPage { page, email, phone, by_phone: false, error: None })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
    /// Set by the "手机号找回" form instead of `email`.
    #[serde(default)]
    phone: String,
}

/// `POST /password/forgot`: mails (or texts, when the form names a phone) a code when the address
/// belongs to an account and answers the same whether or not it does.
pub async fn send_reset_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<ForgotForm>,
) -> AppResult<HttpResponse> {
    let shown: String = form.email.chars().take(100).collect();
    if !form.phone.trim().is_empty() {
        let typed: String = form.phone.chars().take(20).collect();
        let refuse = |page: Page, status: StatusCode, msg: String| {
            html(
                status,
                &ForgotPage { page, email: String::new(), phone: typed.clone(), by_phone: true, error: Some(msg) },
            )
        };
        let number = match Phone::parse(&form.phone) {
            Ok(p) => p,
            Err(msg) => return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, msg),
        };
        if let Err(e) = phone::reset::send_reset_code(&state, &client_ip(&req), &number).await {
            return match phone::refusal(&e) {
                Some((status, msg)) => refuse(page, status, msg),
                None => Err(e),
            };
        }
        session::flash(&session, "success", "如果该手机号绑定了账号，验证码已经发出，请查收短信");
        return Ok(see_other(&req, &format!("/password/reset?phone={}", url_encode(number.as_str()))));
    }
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(msg) => {
            let page = ForgotPage { page, email: shown, phone: String::new(), by_phone: false, error: Some(msg) };
            return html(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (ip_key, to_key) = (format!("reset-send:ip:{}", client_ip(&req)), format!("reset-send:{}", email.as_str()));
    limit(&state.code_limiter, &[&ip_key, &to_key], "发送验证码").await?;
    let key = secret(&state);
    let to = email.clone();
    state.db.run(move |conn| passwords::start_password_reset(conn, &key, &to)).await?;
    session::flash(&session, "success", "如果该邮箱绑定了账号，验证码已经发出，请查收邮件");
    Ok(see_other(&req, &format!("/password/reset?email={}", url_encode(email.as_str()))))
}

/// `GET /password/reset?email=` (or `?phone=`).
pub async fn show_reset(page: Page, q: web::Query<EmailQuery>) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let email = q.email.unwrap_or_default().chars().take(100).collect();
    let phone = q.phone.unwrap_or_default().chars().take(20).collect();
    render(&ResetPage { page, email, phone, error: None })
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    email: String,
    /// Set instead of `email` when the code came by SMS.
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// `POST /password/reset`: the emailed code and a new password; every session of the account ends.
pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<ResetForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let shown: String = form.email.chars().take(100).collect();
    let shown_phone: String = form.phone.chars().take(20).collect();
    let refuse = |page: Page, message: String| {
        let page = ResetPage { page, email: shown.clone(), phone: shown_phone.clone(), error: Some(message) };
        html(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    if !form.phone.trim().is_empty() {
        return reset_by_phone(&req, &state, &session, page, form).await;
    }
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(msg) => return refuse(page, msg),
    };
    // The new password is checked before the code, so a weak one does not use the code up.
    let new = match NewPassword::parse(&form.password) {
        Ok(p) => p,
        Err(msg) => return refuse(page, msg),
    };
    if form.password != form.password2 {
        return refuse(page, "两次输入的新密码不一致".into());
    }
    let (ip_key, to_key) = (format!("reset-check:ip:{}", client_ip(&req)), format!("reset-check:{}", email.as_str()));
    limit(&state.code_limiter, &[&ip_key, &to_key], "验证码尝试").await?;
    let new_hash = web::block(move || password::hash(new.as_str())).await??;
    let (key, ip, code) = (secret(&state), client_ip(&req), form.code);
    match state.db.run(move |conn| passwords::finish_password_reset(conn, &key, &email, &code, &new_hash, &ip)).await {
        Ok(()) => {}
        Err(AppError::Invalid(msg)) => return refuse(page, msg),
        Err(e) => return Err(e),
    }
    session::sign_out_with_flash(&session, "success", "密码已重置，请用新密码登录");
    Ok(see_other(&req, "/login"))
}

/// The SMS half of `POST /password/reset`.
async fn reset_by_phone(
    req: &HttpRequest,
    state: &AppState,
    session: &Session,
    page: Page,
    form: ResetForm,
) -> AppResult<HttpResponse> {
    let typed: String = form.phone.chars().take(20).collect();
    let refuse = |page: Page, status: StatusCode, message: String| {
        html(status, &ResetPage { page, email: String::new(), phone: typed.clone(), error: Some(message) })
    };
    let number = match Phone::parse(&form.phone) {
        Ok(p) => p,
        Err(msg) => return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, msg),
    };
    let new = match NewPassword::parse(&form.password) {
        Ok(p) => p,
        Err(msg) => return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, msg),
    };
    if form.password != form.password2 {
        return refuse(page, StatusCode::UNPROCESSABLE_ENTITY, "两次输入的新密码不一致".into());
    }
    let new_hash = web::block(move || password::hash(new.as_str())).await??;
    match phone::reset::reset_password(state, &client_ip(req), &number, form.code, new_hash).await {
        Ok(()) => {}
        Err(e) => {
            return match phone::refusal(&e) {
                Some((status, msg)) => refuse(page, status, msg),
                None => Err(e),
            };
        }
    }
    session::sign_out_with_flash(session, "success", "密码已重置，请用新密码登录");
    Ok(see_other(req, "/login"))
}
