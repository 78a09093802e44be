//! `/me/verify`: the student's three ways to verify (campus email code, roster match, student-card
//! photo for manual review).

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::models::SchoolNo;
use super::service;
use super::views::VerifyPage;
use crate::auth::codes::{guess_keys, limit, limit_guess};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{client_ip, media, render, see_other, session, url_encode};

fn secret(state: &AppState) -> Vec<u8> {
    state.config.secret_key.expose_secret().as_bytes().to_vec()
}

async fn page_of(
    state: &AppState,
    page: Page,
    user_id: i64,
    code_for: Option<String>,
    error: Option<String>,
) -> AppResult<VerifyPage> {
    let status = state.db.run(move |conn| service::status(conn, user_id)).await?;
    Ok(VerifyPage { page, status, mail_domain: state.config.school_mail_domain.clone(), code_for, error })
}

/// Who is asking and where to answer.
struct Reply<'a> {
    req: &'a HttpRequest,
    state: &'a AppState,
    session: &'a Session,
    user_id: i64,
}

impl Reply<'_> {
    /// Answers a verification attempt: 303 to `/me/verify` with `done` flashed, or the page again
    /// with the reason (422 for a bad input, 409 for a number someone holds).
    async fn send(
        &self,
        page: Page,
        outcome: AppResult<()>,
        done: &str,
        code_for: Option<String>,
    ) -> AppResult<HttpResponse> {
        let (status, message) = match outcome {
            Ok(()) => {
                session::flash(self.session, "success", done);
                return Ok(see_other(self.req, "/me/verify"));
            }
            Err(AppError::Invalid(m)) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            Err(AppError::Conflict(m)) => (StatusCode::CONFLICT, m),
            Err(e) => return Err(e),
        };
        let view = page_of(self.state, page, self.user_id, code_for, Some(message)).await?;
        Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(askama::Template::render(&view)?))
    }

    async fn refuse(&self, page: Page, message: String) -> AppResult<HttpResponse> {
        self.send(page, Err(AppError::Invalid(message)), "", None).await
    }
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    no: Option<String>,
}

/// `GET /me/verify` (`?no=` after a code was mailed: the code form for that number).
pub async fn show_verify(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    q: web::Query<VerifyQuery>,
) -> AppResult<HttpResponse> {
    let code_for = q.into_inner().no.and_then(|n| SchoolNo::parse(&n).ok()).map(|n| n.as_str().to_string());
    render(&page_of(&state, page, user.id, code_for, None).await?)
}

#[derive(Deserialize)]
pub struct SendForm {
    #[serde(default)]
    school_no: String,
}

/// `POST /me/verify/email/send`: mails a code to `学号@CAMPUS_SCHOOL_MAIL_DOMAIN`.
pub async fn send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<SendForm>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let reply = Reply { req: &req, state: &state, session: &session, user_id: uid };
    let Some(domain) = state.config.school_mail_domain.clone() else {
        let off = Err(AppError::invalid("学校邮箱认证未开启，请使用学籍名册核对或人工审核"));
        return reply.send(page, off, "", None).await;
    };
    let no = match SchoolNo::parse(&form.school_no) {
        Ok(n) => n,
        Err(m) => return reply.refuse(page, m).await,
    };
    limit(
        &state.code_limiter,
        &[&format!("verify-send:{uid}"), &format!("verify-send-no:{}", no.as_str())],
        "发送验证码",
    )
    .await?;
    let key = secret(&state);
    let number = no.clone();
    match state.db.run(move |conn| service::send_school_code(conn, &key, &domain, uid, &number)).await {
        Ok(to) => {
            session::flash(&session, "success", format!("验证码已发送到 {to}，10 分钟内有效"));
            Ok(see_other(&req, &format!("/me/verify?no={}", url_encode(no.as_str()))))
        }
        Err(e) => reply.send(page, Err(e), "", None).await,
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    school_no: String,
    #[serde(default)]
    code: String,
}

/// `POST /me/verify/email/check`: the mailed code; a right one verifies the account.
pub async fn confirm_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<ConfirmForm>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let reply = Reply { req: &req, state: &state, session: &session, user_id: uid };
    let ConfirmForm { school_no, code } = form.into_inner();
    let no = match SchoolNo::parse(&school_no) {
        Ok(n) => n,
        Err(m) => return reply.refuse(page, m).await,
    };
    let keys = guess_keys("verify-check", uid, &client_ip(&req), no.as_str());
    limit_guess(&state.code_limiter, &keys, "验证码尝试").await?;
    let (key, ip, number) = (secret(&state), client_ip(&req), no.clone());
    let outcome = state.db.run(move |conn| service::confirm_school_code(conn, &key, uid, &number, &code, &ip)).await;
    let retry = outcome.is_err().then(|| no.as_str().to_string());
    reply.send(page, outcome, "认证成功，账号已关联学号", retry).await
}

#[derive(Deserialize)]
pub struct RosterForm {
    #[serde(default)]
    student_no: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    id_last6: String,
}

/// `POST /me/verify/roster`: student number + name + last six of the ID number.
pub async fn roster_match(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: web::Form<RosterForm>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let reply = Reply { req: &req, state: &state, session: &session, user_id: uid };
    let RosterForm { student_no, name, id_last6 } = form.into_inner();
    let no = match SchoolNo::parse(&student_no) {
        Ok(n) => n,
        Err(m) => return reply.refuse(page, m).await,
    };
    // Per student number too: fresh accounts from fresh addresses share one student's guesses.
    let keys = guess_keys("verify-roster", uid, &client_ip(&req), no.as_str());
    limit_guess(&state.code_limiter, &keys, "核对").await?;
    let (key, ip) = (secret(&state), client_ip(&req));
    let outcome = state.db.run(move |conn| service::roster_match(conn, &key, uid, &no, &name, &id_last6, &ip)).await;
    reply.send(page, outcome, "认证成功，账号已关联学号", None).await
}

/// `POST /me/verify/photo?csrf_token=` (multipart: `school_no`, `real_name`, `photo`): queues a
/// student-card photo for an admin. The photo is checked and re-encoded like every upload.
pub async fn submit_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    page: Page,
    user: CurrentUser,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let reply = Reply { req: &req, state: &state, session: &session, user_id: uid };
    let form = media::read_form(form, 1, state.config.upload_max_bytes).await?;
    let no = match SchoolNo::parse(form.text("school_no")) {
        Ok(n) => n,
        Err(m) => return reply.refuse(page, m).await,
    };
    let real_name = form.text("real_name").trim().to_string();
    if real_name.is_empty() || real_name.chars().count() > 30 {
        let bad = Err(AppError::invalid("请填写真实姓名（30 字以内）"));
        return reply.send(page, bad, "", None).await;
    }
    let Some((_, data)) = form.files.into_iter().find(|(name, _)| name == "photo") else {
        let bad = Err(AppError::invalid("请上传学生证照片"));
        return reply.send(page, bad, "", None).await;
    };
    let dir = state.media.clone();
    let stored = web::block(move || {
        media::store_image(&dir, super::PHOTO_FOLDER, &format!("u{uid}"), &data, media::Fit::Within(1600))
    })
    .await?;
    let path = match stored {
        Ok(p) => p,
        Err(e) => return reply.send(page, Err(e), "", None).await,
    };
    let file = path.rsplit('/').next().unwrap_or_default().to_string();
    let kept = file.clone();
    let outcome = state.db.run(move |conn| service::submit_review(conn, uid, &no, &real_name, &kept)).await;
    if outcome.is_err() {
        let storage = state.media.clone();
        let _ = web::block(move || super::delete_photos(&storage, &[file])).await;
    }
    reply.send(page, outcome.map(|_| ()), "已提交，管理员审核后会通过消息通知你", None).await
}
