//! 我的 → 账号与安全 → 手机号 (`/me/phone`): bind a number, or change the bound one.
//!
//! Bind: type the number, get a code, type the code. Change: the same, plus the current password
//! (or, for an account without one, a code sent to the old number), so that a borrowed phone with
//! an open session cannot move the account to another number.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::sending::{self, bind_target, deliver, secret};
use super::{PhonePage, html, queries, refusal, shown};
use crate::audit;
use crate::auth::codes::{self, PHONE_BIND, PHONE_OLD, guess_keys, limit_guess};
use crate::auth::models::Phone;
use crate::auth::{password, passwords};
use crate::db::sealed::Keyring;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};
use crate::state::AppState;
use crate::web::observe::mask_phone;
use crate::web::page::{CurrentUser, Page};
use crate::web::{client_ip, see_other, session, url_encode};

/// Binds `phone` to `user_id` (whose codes the caller checked); records and tells the user.
/// `Conflict` when another account holds the number, even one that won a race a moment ago.
pub fn bind_phone(conn: &mut DbConn, keys: &Keyring, user_id: i64, phone: &Phone, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let before = queries::phone_of(conn, keys, user_id)?;
        queries::set_phone(conn, keys, user_id, Some(phone.as_str()))?;
        let (action, title) = if before.is_some() {
            ("user.phone_change", "手机号已更换")
        } else {
            ("user.phone_bind", "手机号已绑定")
        };
        let masked = mask_phone(phone.as_str());
        let detail = serde_json::json!({ "phone": masked }).to_string();
        audit::record(conn, Some(user_id), action, "user", Some(&user_id.to_string()), &detail, Some(ip))?;
        notify::send(
            conn,
            user_id,
            MessageKind::Security,
            title,
            &format!(
                "你的账号现在绑定手机号 {masked}，可以用它接收验证码、登录和找回密码。如果不是你本人操作，请立即修改密码并联系管理员。"
            ),
            Some("/me/security"),
        )?;
        Ok(())
    })
}

struct Account {
    current: Option<String>,
    has_password: bool,
}

async fn account(state: &AppState, user_id: i64) -> AppResult<Account> {
    let keys = state.keys.clone();
    state
        .db
        .run(move |conn| {
            Ok(Account {
                current: queries::phone_of(conn, &keys, user_id)?,
                has_password: passwords::password_of(conn, user_id)?.is_some(),
            })
        })
        .await
}

async fn page_with(
    state: &AppState,
    page: Page,
    user_id: i64,
    phone: String,
    status: StatusCode,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let a = account(state, user_id).await?;
    html(status, &PhonePage { page, current: a.current, has_password: a.has_password, phone, error })
}

/// Shows a refusal on the form, or passes an error that is not the form's on.
async fn refuse(state: &AppState, page: Page, user_id: i64, phone: String, err: AppError) -> AppResult<HttpResponse> {
    match refusal(&err) {
        Some((status, message)) => page_with(state, page, user_id, phone, status, Some(message)).await,
        None => Err(err),
    }
}

#[derive(Deserialize)]
pub struct PhoneQuery {
    phone: Option<String>,
}

/// `GET /me/phone`.
pub async fn show_phone(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    q: web::Query<PhoneQuery>,
) -> AppResult<HttpResponse> {
    let phone = shown(q.phone.as_deref().unwrap_or_default());
    page_with(&state, page, user.id, phone, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    old_code: String,
}

/// `POST /me/phone/code`: a code to the new number, unless another account holds it.
pub async fn send_bind_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<PhoneForm>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    match send_to_new_number(&req, &state, uid, &form.phone).await {
        Ok(phone) => {
            session::flash(&session, "success", "验证码已发送，10 分钟内有效");
            Ok(see_other(&req, &format!("/me/phone?phone={}", url_encode(phone.as_str()))))
        }
        Err(e) => refuse(&state, page, uid, shown(&form.phone), e).await,
    }
}

async fn send_to_new_number(req: &HttpRequest, state: &AppState, uid: i64, raw: &str) -> AppResult<Phone> {
    let phone = Phone::parse(raw).map_err(AppError::Invalid)?;
    let number = phone.as_str().to_string();
    let keys = state.keys.clone();
    match state.db.run(move |conn| queries::find_user_by_phone(conn, &keys, &number)).await? {
        Some((id, _)) if id == uid => return Err(AppError::invalid("这已经是你绑定的手机号")),
        Some(_) => return Err(AppError::conflict("该手机号已绑定其他账号，请换一个手机号")),
        None => {}
    }
    let target = bind_target(&secret(state), uid, &phone);
    deliver(state, &client_ip(req), PHONE_BIND, Some(uid), &phone, target).await?;
    Ok(phone)
}

/// `POST /me/phone/old-code`: for an account without a password, a code to the number it has now.
pub async fn send_old_phone_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<PhoneForm>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let typed = shown(&form.phone);
    let Some(current) = account(&state, uid).await?.current else {
        return refuse(&state, page, uid, typed, AppError::invalid("你还没有绑定手机号，直接绑定即可")).await;
    };
    let old = Phone::parse(&current).map_err(AppError::Invalid)?;
    let key = secret(&state);
    let target = sending::target(&key, &old);
    if let Err(e) = deliver(&state, &client_ip(&req), PHONE_OLD, Some(uid), &old, target).await {
        return refuse(&state, page, uid, typed, e).await;
    }
    session::flash(&session, "success", format!("验证码已发送到原手机号 {}", mask_phone(&current)));
    Ok(see_other(&req, &format!("/me/phone?phone={}", url_encode(&typed))))
}

/// `POST /me/phone`: the new number and its code (plus the password or the old number's code
/// when changing). Checked in that order: the account holder first, so a wrong password does not
/// spend the new number's code.
pub async fn confirm_phone(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<PhoneForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let uid = user.id;
    let typed = shown(&form.phone);
    match confirm(&req, &state, uid, &form).await {
        Ok(()) => {
            session::flash(&session, "success", "手机号绑定成功");
            Ok(see_other(&req, "/me/security"))
        }
        Err(e) => refuse(&state, page, uid, typed, e).await,
    }
}

async fn confirm(req: &HttpRequest, state: &AppState, uid: i64, form: &PhoneForm) -> AppResult<()> {
    let phone = Phone::parse(&form.phone).map_err(AppError::Invalid)?;
    if form.code.trim().is_empty() {
        return Err(AppError::invalid("请输入短信中的 6 位验证码"));
    }
    let keys = guess_keys("phone-bind-check", uid, &client_ip(req), phone.as_str());
    limit_guess(&state.code_limiter, &keys, "验证码尝试").await?;
    let key = secret(state);
    let a = account(state, uid).await?;
    if let Some(current) = &a.current {
        if current == phone.as_str() {
            return Err(AppError::invalid("这已经是你绑定的手机号"));
        }
        if a.has_password {
            prove_password(state, uid, &form.password).await?;
        } else {
            let old = Phone::parse(current).map_err(AppError::Invalid)?;
            if form.old_code.trim().is_empty() {
                return Err(AppError::invalid("请先获取并填写原手机号收到的验证码"));
            }
            let (k, code, target) = (key.clone(), form.old_code.clone(), sending::target(&key, &old));
            let holder = state.db.run(move |conn| codes::redeem(conn, &k, PHONE_OLD, &target, &code)).await;
            match holder {
                Ok(Some(id)) if id == uid => {}
                Ok(_) => return Err(AppError::invalid("原手机号验证码错误或已失效，请重新获取")),
                Err(AppError::Invalid(m)) => return Err(AppError::Invalid(format!("原手机号{m}"))),
                Err(e) => return Err(e),
            }
        }
    }
    let (code, target) = (form.code.clone(), bind_target(&key, uid, &phone));
    let holder = state.db.run(move |conn| codes::redeem(conn, &key, PHONE_BIND, &target, &code)).await?;
    if holder != Some(uid) {
        return Err(AppError::invalid("验证码错误或已失效，请重新获取"));
    }
    let ip = client_ip(req);
    let keys = state.keys.clone();
    state.db.run(move |conn| bind_phone(conn, &keys, uid, &phone, &ip)).await
}

async fn prove_password(state: &AppState, uid: i64, typed: &str) -> AppResult<()> {
    if typed.is_empty() || typed.len() > 256 {
        return Err(AppError::invalid("更换手机号需要输入当前登录密码"));
    }
    let Some((_, hash)) = state.db.run(move |conn| passwords::password_of(conn, uid)).await? else {
        return Err(AppError::invalid("更换手机号需要输入当前登录密码"));
    };
    let typed = typed.to_string();
    if web::block(move || password::verify(&typed, &hash)).await? {
        Ok(())
    } else {
        Err(AppError::invalid("当前密码不正确"))
    }
}
