//! Organizer pages: publish and edit, registrants and their CSV/XLSX, a message to all, check-in.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::ActivityForm;
use super::organize::{self, Manager};
use super::views::{CheckinView, EditView, ManageView, RegistrantsView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::media::{self, Fit};
use crate::web::page::{CurrentUser, Page};
use crate::web::{client_ip, render, see_other, session};

pub async fn manage(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let m = Manager::of(&user)?;
    let cards = state.db.run(move |conn| organize::managed(conn, m)).await?;
    render(&ManageView { page, cards })
}

pub async fn show_new(user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    Manager::of(&user)?;
    let form = ActivityForm { capacity: "50".into(), category: "lecture".into(), ..ActivityForm::default() };
    render(&EditView { page, id: None, form, poster: None, error: None })
}

pub async fn show_edit(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (m, id) = (Manager::of(&user)?, path.into_inner());
    let a = state.db.run(move |conn| organize::managed_activity(conn, m, id)).await?;
    render(&EditView { page, id: Some(id), form: ActivityForm::of(&a), poster: a.poster.clone(), error: None })
}

fn read_activity_form(form: &media::UploadForm) -> ActivityForm {
    let clip = |k: &str, n: usize| form.text(k).chars().take(n).collect::<String>();
    ActivityForm {
        title: clip("title", 60),
        category: clip("category", 20),
        description: clip("description", 3100),
        place: clip("place", 60),
        poi_id: clip("poi_id", 20),
        host: clip("host", 40),
        starts_at: clip("starts_at", 20),
        ends_at: clip("ends_at", 20),
        deadline: clip("deadline", 20),
        capacity: clip("capacity", 10),
        questions: clip("questions", 1000),
    }
}

fn form_error(page: Page, id: Option<i64>, form: ActivityForm, message: String) -> AppResult<HttpResponse> {
    let body = EditView { page, id, form, poster: None, error: Some(message) }.render()?;
    Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).content_type("text/html; charset=utf-8").body(body))
}

/// `POST /activities/new` and `POST /activities/{id}/edit` (multipart: the poster is optional).
async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    id: Option<i64>,
    upload: Multipart,
) -> AppResult<HttpResponse> {
    let m = Manager::of(&user)?;
    if let Some(id) = id {
        state.db.run(move |conn| organize::managed_activity(conn, m, id)).await?;
    }
    let upload = media::read_form(upload, 1, state.config.upload_max_bytes).await?;
    let form = read_activity_form(&upload);
    let spec = match form.parse() {
        Ok(spec) => spec,
        Err(message) => return form_error(page, id, form, message),
    };
    let poster = match upload.files.into_iter().find(|(name, _)| name == "poster") {
        Some((_, data)) => {
            let dir = state.media.clone();
            let stored =
                web::block(move || media::store_image(&dir, "activities", "poster", &data, Fit::Within(1080))).await?;
            match stored {
                Ok(path) => Some(path),
                Err(AppError::Invalid(message)) => return form_error(page, id, form, message),
                Err(e) => return Err(e),
            }
        }
        None => None,
    };
    let ip = client_ip(&req);
    let saved = state
        .db
        .run(move |conn| match id {
            Some(id) => organize::update(conn, m, id, &spec, poster.as_deref(), &ip).map(|_| id),
            None => organize::create(conn, m, &spec, poster.as_deref(), &ip),
        })
        .await;
    match saved {
        Ok(id) => {
            session::flash(&session, "success", "活动已保存");
            Ok(see_other(&req, &format!("/activities/{id}")))
        }
        Err(AppError::Invalid(message)) => form_error(page, id, form, message),
        Err(e) => Err(e),
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    upload: Multipart,
) -> AppResult<HttpResponse> {
    save(req, state, session, user, page, None, upload).await
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    upload: Multipart,
) -> AppResult<HttpResponse> {
    save(req, state, session, user, page, Some(path.into_inner()), upload).await
}

pub async fn registrants(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (m, id, keys) = (Manager::of(&user)?, path.into_inner(), state.keys.clone());
    let list = state.db.run(move |conn| organize::registrants(conn, &keys, m, id)).await?;
    render(&RegistrantsView { page, list })
}

pub async fn export_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (m, id, keys) = (Manager::of(&user)?, path.into_inner(), state.keys.clone());
    let (name, data) = state.db.run(move |conn| organize::export_csv(conn, &keys, m, id)).await?;
    Ok(download("text/csv; charset=utf-8", &name, data))
}

pub async fn export_xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (m, id, keys) = (Manager::of(&user)?, path.into_inner(), state.keys.clone());
    let (name, data) = state.db.run(move |conn| organize::export_xlsx(conn, &keys, m, id)).await?;
    Ok(download(crate::web::xlsx::CONTENT_TYPE, &name, data))
}

fn download(content_type: &str, name: &str, data: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(data)
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    waitlist: Option<String>,
}

pub async fn message_all(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<MessageForm>,
) -> AppResult<HttpResponse> {
    let (m, id, ip) = (Manager::of(&user)?, path.into_inner(), client_ip(&req));
    let form = form.into_inner();
    let waitlist = form.waitlist.is_some();
    let sent = state.db.run(move |conn| organize::message_all(conn, m, id, &form.body, waitlist, &ip)).await?;
    session::flash(&session, "success", format!("通知已发送给 {sent} 人"));
    Ok(see_other(&req, &format!("/activities/{id}/registrants")))
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// `GET /activities/{id}/checkin[?code=]`: type a code, or arrive from a scanned QR code.
pub async fn show_checkin(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<CodeQuery>,
) -> AppResult<HttpResponse> {
    let (m, id) = (Manager::of(&user)?, path.into_inner());
    let code = organize::normalize_code(q.code.as_deref().unwrap_or(""));
    let c = code.clone();
    let (activity, found) = state.db.run(move |conn| organize::lookup(conn, m, id, &c)).await?;
    let error = (!code.is_empty() && found.is_none()).then(|| format!("签到码 {code} 不属于本活动的有效报名"));
    render(&CheckinView { page, activity, code, found, done: None, error })
}

#[derive(Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    code: String,
}

pub async fn check_in(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<CheckinForm>,
) -> AppResult<HttpResponse> {
    let (m, id) = (Manager::of(&user)?, path.into_inner());
    let code = organize::normalize_code(&form.code);
    let c = code.clone();
    let result = state.db.run(move |conn| organize::check_in(conn, m, id, &c)).await;
    let activity = state.db.run(move |conn| organize::managed_activity(conn, m, id)).await?;
    let (done, error, status) = match result {
        Ok(reg) => (Some(reg), None, StatusCode::OK),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status =
                if matches!(e, AppError::Invalid(_)) { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CONFLICT };
            (None, Some(e.to_string()), status)
        }
        Err(e) => return Err(e),
    };
    let body = CheckinView { page, activity, code: String::new(), found: None, done, error }.render()?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body))
}

#[derive(Deserialize)]
pub struct OpenForm {
    open: Option<String>,
}

/// `POST /activities/{id}/open`: an admin opens registration to everyone (`open=1`) or keeps
/// it to people who passed 学籍认证.
pub async fn set_open_to_all(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: crate::web::RequirePerm<crate::web::need::Activities>,
    path: web::Path<i64>,
    form: web::Form<OpenForm>,
) -> AppResult<HttpResponse> {
    let open = form.open.as_deref() == Some("1");
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state.db.run(move |conn| super::service::set_open_to_all(conn, aid, id, open, &ip)).await?;
    let done = if open { "已向所有人开放报名" } else { "已改为仅限学籍认证用户报名" };
    session::flash(&session, "success", done);
    Ok(see_other(&req, &format!("/activities/{id}")))
}
