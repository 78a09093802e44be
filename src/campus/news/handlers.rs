use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::DateTime;
use serde::Deserialize;

use super::models::{ArticleForm, Category, NewsCard};
use super::service;
use super::views::{AdminNewsView, ArticleView, EditArticleView, NewsCards, NewsView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::media::{self, Fit};
use crate::web::page::{MaybeUser, Page};
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, is_htmx, render, see_other, session};

#[derive(Deserialize)]
pub struct FeedQuery {
    category: Option<String>,
    /// Keyset cursor: `<published_at in µs>_<id>` of the last card shown.
    after: Option<String>,
}

fn cursor(raw: Option<&str>) -> Option<(chrono::NaiveDateTime, i64)> {
    let (at, id) = raw?.split_once('_')?;
    let at = DateTime::from_timestamp_micros(at.parse().ok()?)?.naive_utc();
    Some((at, id.parse().ok()?))
}

fn more_url(category: &str, cards: &[NewsCard]) -> Option<String> {
    let last = cards.last().filter(|_| cards.len() as i64 == service::PAGE_SIZE)?;
    Some(format!(
        "/campus/news?category={category}&after={}_{}",
        last.published_at.and_utc().timestamp_micros(),
        last.id
    ))
}

/// `GET /campus/news`: by category, newest first; htmx asks for the next page as it scrolls.
pub async fn list_news(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
    q: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let category = q.category.clone().filter(|c| Category::parse(c).is_some()).unwrap_or_default();
    let after = cursor(q.after.as_deref());
    let c = category.clone();
    let cards = state
        .db
        .read_here(move |conn| service::feed(conn, (!c.is_empty()).then_some(c.as_str()), after, service::PAGE_SIZE))
        .await?;
    let more_url = more_url(&category, &cards);
    if is_htmx(&req) && after.is_some() {
        return render(&NewsCards { cards, more_url });
    }
    render(&NewsView { page, category, cards, more_url })
}

pub async fn show_article(
    state: web::Data<AppState>,
    user: MaybeUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, admin) = (path.into_inner(), user.0.as_ref().is_some_and(|u| u.can(crate::web::Permission::News)));
    let a = state.db.read_here(move |conn| service::article(conn, id, admin)).await?;
    render(&ArticleView { page, a })
}

pub async fn admin_list(
    state: web::Data<AppState>,
    _a: RequirePerm<need::News>,
    page: Page,
) -> AppResult<HttpResponse> {
    let cards = state.db.run(service::all).await?;
    render(&AdminNewsView { page, cards })
}

pub async fn show_new(_a: RequirePerm<need::News>, page: Page) -> AppResult<HttpResponse> {
    let form = ArticleForm { category: "notice".into(), ..ArticleForm::default() };
    render(&EditArticleView { page, id: None, form, cover: None, error: None })
}

pub async fn show_edit(
    state: web::Data<AppState>,
    _a: RequirePerm<need::News>,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let a = state.db.run(move |conn| service::edit_target(conn, id)).await?;
    render(&EditArticleView { page, id: Some(id), form: ArticleForm::of(&a), cover: a.cover.clone(), error: None })
}

fn form_error(page: Page, id: Option<i64>, form: ArticleForm, message: String) -> AppResult<HttpResponse> {
    let body = EditArticleView { page, id, form, cover: None, error: Some(message) }.render()?;
    Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).content_type("text/html; charset=utf-8").body(body))
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::News>,
    page: Page,
    id: Option<i64>,
    upload: Multipart,
) -> AppResult<HttpResponse> {
    let upload = media::read_form(upload, 1, state.config.upload_max_bytes).await?;
    let clip = |k: &str, n: usize| upload.text(k).chars().take(n).collect::<String>();
    let form = ArticleForm {
        category: clip("category", 20),
        title: clip("title", 80),
        summary: clip("summary", 200),
        body: upload.text("body").to_string(),
        published_at: clip("published_at", 20),
        hidden: upload.text("hidden") == "1",
    };
    let spec = match form.parse() {
        Ok(spec) => spec,
        Err(message) => return form_error(page, id, form, message),
    };
    let cover = match upload.files.into_iter().find(|(name, _)| name == "cover") {
        Some((_, data)) => {
            let dir = state.media.clone();
            match web::block(move || media::store_image(&dir, "news", "cover", &data, Fit::Within(1080))).await? {
                Ok(path) => Some(path),
                Err(AppError::Invalid(message)) => return form_error(page, id, form, message),
                Err(e) => return Err(e),
            }
        }
        None => None,
    };
    let (aid, ip) = (admin.0.id, client_ip(&req));
    let id = state.db.run(move |conn| service::save(conn, aid, id, &spec, cover.as_deref(), &ip)).await?;
    session::flash(&session, "success", "文章已保存");
    Ok(see_other(&req, &format!("/campus/news/{id}")))
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::News>,
    page: Page,
    upload: Multipart,
) -> AppResult<HttpResponse> {
    save(req, state, session, admin, page, None, upload).await
}

pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::News>,
    page: Page,
    path: web::Path<i64>,
    upload: Multipart,
) -> AppResult<HttpResponse> {
    save(req, state, session, admin, page, Some(path.into_inner()), upload).await
}

/// `POST /admin/news/images`: an image for the article body; answers `{"url": "/media/news/..."}`.
pub async fn upload_image(
    state: web::Data<AppState>,
    _a: RequirePerm<need::News>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let data = media::read_upload(form, "image", state.config.upload_max_bytes).await?;
    let dir = state.media.clone();
    let url = web::block(move || media::store_image(&dir, "news", "img", &data, Fit::Within(1080))).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "url": url })))
}
