use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::models::{Email, NewPassword, Nickname, Role, Username};
use super::password;
use super::service::{self, Registration};
use super::sessions;
use super::signin::begin_session;
use super::views::{LoginPage, RegisterErrors, RegisterPage, RegisterValues};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, MaybeUser, Page};
use crate::web::ratelimit::Refusal;
use crate::web::{api, client_ip, render, safe_next, see_other, session};

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn html(status: StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}

pub async fn show_login(
    req: HttpRequest,
    page: Page,
    user: MaybeUser,
    q: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let next = safe_next(q.next.as_deref());
    if user.0.is_some() {
        return Ok(see_other(&req, &next));
    }
    render(&LoginPage { page, next, username: String::new(), error: None })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    let shown_name: String = form.username.chars().take(64).collect();
    let fail = |page: Page, status: StatusCode, message: String| {
        html(status, &LoginPage { page, next: next.clone(), username: shown_name.clone(), error: Some(message) })
    };
    let username = match Username::parse(&form.username) {
        Ok(u) => u,
        Err(msg) => return fail(page, StatusCode::UNPROCESSABLE_ENTITY, msg),
    };
    if form.password.is_empty() || form.password.len() > 256 {
        return fail(page, StatusCode::UNPROCESSABLE_ENTITY, "请输入密码".into());
    }
    let ip_key = format!("ip:{}", client_ip(&req));
    let account_key = format!("account:{}", username.as_str());
    let limiter = state.login_limiter.clone();
    match limiter.take(&[&ip_key, &account_key]).await {
        Ok(()) => {}
        Err(Refusal::Wait(wait)) => {
            let minutes = wait.as_secs().div_ceil(60).max(1);
            return fail(page, StatusCode::TOO_MANY_REQUESTS, format!("登录失败次数过多，请 {minutes} 分钟后再试"));
        }
        Err(Refusal::Unavailable) => {
            return fail(page, StatusCode::SERVICE_UNAVAILABLE, "登录服务暂时不可用，请稍后再试".into());
        }
    }
    let lookup = username.clone();
    let record = state.db.run(move |conn| service::password_login_record(conn, &lookup)).await?;
    let pw = form.password.clone();
    let matched = web::block(move || match record {
        Some((auth_id, user_id, hash)) => password::verify(&pw, &hash).then_some((auth_id, user_id)),
        None => {
            password::verify_dummy(&pw);
            None
        }
    })
    .await?;
    let Some((auth_id, user_id)) = matched else {
        return fail(page, StatusCode::UNAUTHORIZED, "用户名或密码错误".into());
    };
    // The right password: the attempt was no failure.
    limiter.give_back(&ip_key);
    limiter.clear(&account_key);
    // Two-factor on: the password alone opens nothing; the code comes on a second page.
    if state.db.run(move |conn| Ok(super::two_factor::is_on(conn, user_id)?)).await? {
        super::two_factor::pages::await_code(&session, user_id, Some(auth_id), "password", &next)?;
        return Ok(see_other(&req, "/login/2fa"));
    }
    let ip = client_ip(&req);
    match state.db.run(move |conn| service::complete_login(conn, user_id, Some(auth_id), "password", &ip)).await {
        Ok(()) => {}
        Err(AppError::Forbidden) => {
            return fail(page, StatusCode::FORBIDDEN, "该账号已被封禁，如有疑问请联系管理员".into());
        }
        Err(e) => return Err(e),
    }
    begin_session(&req, &state, &session, user_id).await?;
    Ok(see_other(&req, &next))
}

#[derive(Deserialize)]
pub struct DevLoginForm {
    #[serde(rename = "as", default)]
    role: String,
    next: Option<String>,
}

pub async fn dev_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<DevLoginForm>,
) -> AppResult<HttpResponse> {
    if !crate::web::dev_login_allowed(&req, &state.config) {
        return Err(AppError::NotFound);
    }
    let role = Role::parse(&form.role).ok_or_else(|| AppError::invalid("未知的演示身份"))?;
    let ip = client_ip(&req);
    let user_id = state
        .db
        .run(move |conn| {
            let id = service::demo_user(conn, role)?;
            service::complete_login(conn, id, None, "dev", &ip)?;
            Ok(id)
        })
        .await?;
    begin_session(&req, &state, &session, user_id).await?;
    let default = if role == Role::Admin { "/admin" } else { "/" };
    let next = form.next.as_deref().map(|n| safe_next(Some(n))).unwrap_or_else(|| default.into());
    Ok(see_other(&req, &next))
}

pub async fn show_register(page: Page) -> AppResult<HttpResponse> {
    render(&RegisterPage { page, values: RegisterValues::default(), errors: RegisterErrors::default() })
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    email: String,
}

pub async fn submit_register(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    form: web::Form<RegisterForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let clip = |s: &str| s.chars().take(100).collect::<String>();
    let values =
        RegisterValues { username: clip(&form.username), nickname: clip(&form.nickname), email: clip(&form.email) };
    let mut errors = RegisterErrors::default();
    let username = Username::parse(&form.username).map_err(|e| errors.username = Some(e)).ok();
    let password = NewPassword::parse(&form.password).map_err(|e| errors.password = Some(e)).ok();
    if form.password != form.password2 {
        errors.password2 = Some("两次输入的密码不一致".into());
    }
    let nickname = Nickname::parse(&form.nickname).map_err(|e| errors.nickname = Some(e)).ok();
    let email = if form.email.trim().is_empty() {
        None
    } else {
        Email::parse(&form.email).map_err(|e| errors.email = Some(e)).ok()
    };
    let (Some(username), Some(password), Some(nickname), false) = (username, password, nickname, errors.any()) else {
        return html(StatusCode::UNPROCESSABLE_ENTITY, &RegisterPage { page, values, errors });
    };
    let ip = client_ip(&req);
    // Only a form that would create an account takes a slot.
    super::codes::limit(&state.signup_limiter, &[&format!("register:{ip}")], "注册").await?;
    let password_hash = web::block(move || password::hash(password.as_str())).await??;
    let reg = Registration { username, password_hash, nickname, email };
    match state.db.run(move |conn| service::register(conn, &reg, &ip)).await {
        Ok(user_id) => {
            begin_session(&req, &state, &session, user_id).await?;
            session::flash(&session, "success", "注册成功，欢迎加入！");
            Ok(see_other(&req, "/"))
        }
        Err(AppError::Conflict(msg)) => {
            errors.username = Some(msg);
            html(StatusCode::CONFLICT, &RegisterPage { page, values, errors })
        }
        Err(e) => Err(e),
    }
}

/// `POST /logout`: ends this session, its record included, so a copy of the cookie is worthless.
pub async fn logout(req: HttpRequest, state: web::Data<AppState>, session: Session) -> AppResult<HttpResponse> {
    if let Some((_, record)) = session::signed_in(&session) {
        state.db.run(move |conn| sessions::close(conn, &record)).await?;
    }
    session::sign_out(&session);
    Ok(see_other(&req, "/login"))
}

/// `POST /logout/everywhere`: ends every session of the user, on every device.
pub async fn logout_everywhere(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    state.db.run(move |conn| sessions::close_all(conn, uid)).await?;
    session::sign_out(&session);
    Ok(see_other(&req, "/login"))
}

#[derive(Deserialize)]
pub struct TicketQuery {
    t: Option<String>,
    next: Option<String>,
}

/// `GET /auth/ticket?t=...&next=...`: the web-view's entry after WeChat login.
pub async fn redeem_ticket(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    q: web::Query<TicketQuery>,
) -> AppResult<HttpResponse> {
    let ticket = q.t.clone().unwrap_or_default();
    let ip = client_ip(&req);
    let next = safe_next(q.next.as_deref());
    let (user_id, second_step) = state
        .db
        .run(move |conn| {
            let id = service::redeem_ticket(conn, &ticket)?;
            // A staff account with two-factor on signs in from WeChat with its code too.
            if super::two_factor::is_on(conn, id)? {
                return Ok((id, true));
            }
            service::complete_login(conn, id, None, "wechat", &ip)?;
            Ok((id, false))
        })
        .await?;
    if second_step {
        super::two_factor::pages::await_code(&session, user_id, None, "wechat", &next)?;
        return Ok(see_other(&req, "/login/2fa"));
    }
    begin_session(&req, &state, &session, user_id).await?;
    Ok(see_other(&req, &next))
}

#[derive(Deserialize)]
pub struct WxLoginBody {
    code: Option<String>,
    /// The authenticator's (or a recovery) code of an account with two-factor sign-in on.
    two_factor_code: Option<String>,
}

#[derive(Serialize)]
struct WxLoginReply {
    ticket: String,
    /// `None` for an account with two-factor sign-in that sent no (right) code: the shell's API
    /// is then closed to it, and the web-view asks for the code when it redeems the ticket.
    token: Option<String>,
    token_expires_in: u64,
    user_id: i64,
    /// Whether the account signs in with a second factor (the token needs its code).
    two_factor: bool,
}

/// `POST /api/v1/wx/login` with `{"code": "..."}` from `wx.login`. The ticket is always given (its
/// web-view sign-in asks for the second factor itself); the API token of an account with
/// two-factor sign-in on only with `two_factor_code` right, limited like the code step of the
/// web sign-in (per account and per address): a staff account's second factor holds on the
/// API too.
pub async fn wx_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<WxLoginBody>,
) -> AppResult<HttpResponse> {
    let WxLoginBody { code, two_factor_code } = body.into_inner();
    let code = code.unwrap_or_default().trim().to_string();
    if code.is_empty() || code.len() > 128 || !code.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::invalid("缺少有效的登录凭证 code"));
    }
    let second: String = two_factor_code.unwrap_or_default().trim().chars().take(64).collect();
    let wx = state.wx.clone();
    let wx_session = web::block(move || wx.code2session(&code)).await??;
    let (user_id, two_factor) = state
        .db
        .run(move |conn| {
            let user_id = service::wechat_user(conn, &wx_session.openid, wx_session.unionid.as_deref())?;
            Ok((user_id, super::two_factor::is_on(conn, user_id)?))
        })
        .await?;
    let api_allowed = !two_factor || second_factor_passes(&req, &state, user_id, second).await?;
    let (ticket_ttl, api_ttl) = (state.config.ticket_ttl, state.config.api_token_ttl);
    let (ticket, token) =
        state.db.run(move |conn| service::issue_wechat_tokens(conn, user_id, ticket_ttl, api_ttl, api_allowed)).await?;
    let token_expires_in = if token.is_some() { api_ttl.as_secs() } else { 0 };
    let message = if token.is_some() {
        "ok"
    } else {
        "该账号已开启两步验证：API 令牌需要验证码，网页登录时将要求输入验证码"
    };
    let reply = WxLoginReply { ticket, token, token_expires_in, user_id, two_factor };
    Ok(api::ok_with(reply, message))
}

/// Whether the second factor sent to `wx_login` is right: none sent is no (nothing counted); a
/// wrong one is a 422 with the reason, too many a 429.
async fn second_factor_passes(req: &HttpRequest, state: &AppState, user_id: i64, code: String) -> AppResult<bool> {
    if code.is_empty() {
        return Ok(false);
    }
    let (account_key, ip) = (format!("2fa:{user_id}"), client_ip(req));
    let ip_key = format!("2fa:ip:{ip}");
    if let Err(wait) = state.login_limiter.try_take(&[&account_key, &ip_key]).await {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return Err(AppError::RateLimited(format!("验证码错误次数过多，请 {minutes} 分钟后再试")));
    }
    state.db.run(move |conn| super::two_factor::verify_sign_in(conn, user_id, &code, &ip)).await?;
    state.login_limiter.clear(&account_key);
    state.login_limiter.give_back(&ip_key);
    Ok(true)
}
