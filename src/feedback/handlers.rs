use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::{Category, parse_text};
use super::service;
use super::views::{AdminListView, AdminThreadView, MineView, ThreadView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::media;
use crate::web::page::{CurrentUser, Page};
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

pub async fn my_feedback(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let items = state.db.run(move |conn| service::mine(conn, uid)).await?;
    render(&MineView { page, items, category: "suggestion".into(), body: String::new(), error: None })
}

/// `POST /me/feedback` (multipart: category, body, up to 3 screenshots).
pub async fn send_feedback(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let refuse = |page: Page, items, category: String, body: String, message: String| -> AppResult<HttpResponse> {
        let html = MineView { page, items, category, body, error: Some(message) }.render()?;
        Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).content_type("text/html; charset=utf-8").body(html))
    };
    let form = match media::read_form(form, 3, state.config.upload_max_bytes).await {
        Ok(form) => form,
        Err(AppError::Invalid(message)) => {
            let items = state.db.run(move |conn| service::mine(conn, uid)).await?;
            return refuse(page, items, String::new(), String::new(), message);
        }
        Err(e) => return Err(e),
    };
    let category_raw: String = form.text("category").chars().take(20).collect();
    let body_raw: String = form.text("body").chars().take(1100).collect();
    let parsed = Category::parse(&category_raw)
        .ok_or_else(|| "请选择反馈类型".to_string())
        .and_then(|c| parse_text(&body_raw, "反馈内容").map(|b| (c, b)));
    let (category, body) = match parsed {
        Ok(v) => v,
        Err(message) => {
            let items = state.db.run(move |conn| service::mine(conn, uid)).await?;
            return refuse(page, items, category_raw, body_raw, message);
        }
    };
    let files: Vec<Vec<u8>> = form.files.into_iter().map(|(_, data)| data).collect();
    let id = match service::send(&state, uid, category, body, files).await {
        Ok(id) => id,
        Err(AppError::Invalid(message)) => {
            let items = state.db.run(move |conn| service::mine(conn, uid)).await?;
            return refuse(page, items, category_raw, body_raw, message);
        }
        Err(e) => return Err(e),
    };
    session::flash(&session, "success", "反馈已提交，我们会尽快回复你");
    Ok(see_other(&req, &format!("/me/feedback/{id}")))
}

pub async fn show_mine(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let t = state.db.run(move |conn| service::thread(conn, id, Some(uid))).await?;
    render(&ThreadView { page, t })
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

pub async fn follow_up(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReplyForm>,
) -> AppResult<HttpResponse> {
    let body = parse_text(&form.body, "回复内容").map_err(AppError::Invalid)?;
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::follow_up(conn, id, uid, &body)).await?;
    session::flash(&session, "success", "已补充");
    Ok(see_other(&req, &format!("/me/feedback/{id}")))
}

pub async fn admin_list(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Feedback>,
    page: Page,
) -> AppResult<HttpResponse> {
    let items = state.db.run(service::all).await?;
    render(&AdminListView { page, items })
}

pub async fn admin_show(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Feedback>,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let t = state.db.run(move |conn| service::thread(conn, id, None)).await?;
    render(&AdminThreadView { page, t })
}

pub async fn admin_reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::Feedback>,
    path: web::Path<i64>,
    form: web::Form<ReplyForm>,
) -> AppResult<HttpResponse> {
    let body = parse_text(&form.body, "回复内容").map_err(AppError::Invalid)?;
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::answer(conn, id, aid, &body, &ip)).await?;
    session::flash(&session, "success", "回复已发送，用户会在消息中心看到");
    Ok(see_other(&req, &format!("/admin/feedback/{id}")))
}

/// `GET /media/feedback/{name}`: a screenshot is personal data, kept in the private area and
/// shown only to its sender and to admins who handle feedback, never cached by shared caches.
pub async fn serve_screenshot(
    state: web::Data<AppState>,
    user: CurrentUser,
    name: web::Path<String>,
) -> AppResult<HttpResponse> {
    let name = name.into_inner();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Err(AppError::NotFound);
    }
    let url_path = format!("/media/{}/{name}", super::FOLDER);
    let sender = state.db.run(move |conn| service::screenshot_sender(conn, &url_path)).await?;
    match sender {
        Some(s) if s == user.id || user.can(crate::web::Permission::Feedback) => {}
        _ => return Err(AppError::NotFound),
    }
    let area = media::area_of(super::FOLDER);
    let data = state.media.get(area, &format!("{}/{name}", super::FOLDER)).await?;
    // Screenshots sent before they moved to the private area.
    let data = match data {
        Some(d) => d,
        None => state
            .media
            .get(crate::web::storage::Area::Public, &format!("{}/{name}", super::FOLDER))
            .await?
            .ok_or(AppError::NotFound)?,
    };
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(data))
}
