use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::service::{self, ContactChange};
use super::views::{
    MePage, MessageItem, MessageList, MessageSettings, MessageSettingsForm, MessageSettingsPage, MessagesPage,
    SettingsErrors, SettingsPage,
};
use crate::auth::models::{Email, Nickname};
use crate::db::reseal::col;
use crate::error::{AppError, AppResult};
use crate::notify;
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::pagination::{PageQuery, PageRequest};
use crate::web::{client_ip, is_htmx, media, render, safe_next, see_other, session};

pub async fn show_me(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let id = user.id;
    let user = state.db.run(move |conn| service::profile(conn, id)).await?;
    let phone = state.keys.show_opt(col::USER_PHONE, user.phone.as_ref());
    render(&MePage { page, user, phone })
}

pub async fn show_settings(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let id = user.id;
    let user = state.db.run(move |conn| service::profile(conn, id)).await?;
    let (nickname, email) = (user.nickname.clone(), user.email.clone().unwrap_or_default());
    let phone = state.keys.show_opt(col::USER_PHONE, user.phone.as_ref());
    render(&SettingsPage { page, user, phone, nickname, email, errors: SettingsErrors::default() })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    nickname: String,
    #[serde(default)]
    email: String,
}

pub async fn save_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: web::Form<SettingsForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let mut errors = SettingsErrors::default();
    let nickname = Nickname::parse(&form.nickname).map_err(|e| errors.nickname = Some(e)).ok();
    let email = match form.email.trim() {
        "" => Ok(None),
        raw => Email::parse(raw).map(Some),
    }
    .map_err(|e| errors.email = Some(e));
    let (Some(nickname), Ok(email)) = (nickname, email) else {
        let id = user.id;
        let current = state.db.run(move |conn| service::profile(conn, id)).await?;
        let clip = |s: &str| s.chars().take(100).collect::<String>();
        let phone = state.keys.show_opt(col::USER_PHONE, current.phone.as_ref());
        let (nickname, email) = (clip(&form.nickname), clip(&form.email));
        let body = SettingsPage { page, user: current, phone, nickname, email, errors }.render()?;
        return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type("text/html; charset=utf-8")
            .body(body));
    };
    let change = ContactChange { nickname, email };
    let (id, ip) = (user.id, client_ip(&req));
    state.db.run(move |conn| service::update_contact(conn, id, &change, &ip)).await?;
    session::flash(&session, "success", "资料已保存");
    Ok(see_other(&req, "/me/settings"))
}

pub async fn upload_avatar(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let data = media::read_upload(form, "avatar", state.config.upload_max_bytes).await?;
    let dir = state.media.clone();
    // The file name is random only: a URL anyone can see (forum, comments) never names the
    // account's internal id (it was `u1-….jpg`).
    let path =
        web::block(move || media::store_image(&dir, "avatars", "avatar", &data, media::Fit::Square(256))).await??;
    let id = user.id;
    state.db.run(move |conn| service::set_avatar(conn, id, &path)).await?;
    session::flash(&session, "success", "头像已更新");
    Ok(see_other(&req, "/me/settings"))
}

#[derive(Deserialize)]
pub struct MessagesQuery {
    page: Option<String>,
    category: Option<String>,
}

pub async fn list_messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<MessagesQuery>,
) -> AppResult<HttpResponse> {
    let paging = PageRequest::from_query(&PageQuery { page: q.page.clone() }, 20);
    let category = q.category.as_deref().and_then(notify::Category::parse);
    let id = user.id;
    let (list, tabs) = state.db.run(move |conn| notify::service::inbox(conn, id, category, paging)).await?;
    let csrf = page.csrf.clone();
    let category = category.map(|c| c.as_str()).unwrap_or("").to_string();
    if is_htmx(&req) {
        return render(&MessageList { csrf, list, category });
    }
    render(&MessagesPage { page, csrf, list, tabs, category })
}

pub async fn read_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, id) = (user.id, path.into_inner());
    let message = state.db.run(move |conn| notify::service::read_message(conn, uid, id)).await?;
    if is_htmx(&req) {
        return render(&MessageItem { csrf: page.csrf, m: message });
    }
    let to = message.link.as_deref().map(|l| safe_next(Some(l))).unwrap_or_else(|| "/me/messages".into());
    Ok(see_other(&req, &to))
}

#[derive(Deserialize)]
pub struct ReadAllForm {
    #[serde(default)]
    category: String,
}

pub async fn read_all_messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    form: web::Form<ReadAllForm>,
) -> AppResult<HttpResponse> {
    let id = user.id;
    let category = notify::Category::parse(&form.category);
    let n = state
        .db
        .run(move |conn| match category {
            Some(c) => notify::service::read_category(conn, id, c),
            None => notify::service::read_all(conn, id),
        })
        .await?;
    session::flash(&session, "success", if n > 0 { "已全部标为已读" } else { "没有未读消息" });
    let back = category.map_or("/me/messages".to_string(), |c| format!("/me/messages?category={}", c.as_str()));
    Ok(see_other(&req, &back))
}

/// `GET /me/messages/settings`: the email and WeChat switches of each message category.
pub async fn show_message_settings(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    let id = user.id;
    let (prefs, has_email) = state
        .db
        .run(move |conn| Ok((notify::prefs::preferences(conn, id)?, service::profile(conn, id)?.email.is_some())))
        .await?;
    let form = MessageSettings { csrf: page.csrf.clone(), prefs, has_email, saved: false };
    render(&MessageSettingsPage { page, form })
}

/// `POST /me/messages/settings`: saves every switch at once. htmx posts on each change and gets
/// the switches back; without JavaScript the 保存 button posts and lands on the page again.
pub async fn save_message_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    body: String,
) -> AppResult<HttpResponse> {
    // Checkboxes repeat `email` and `wechat`, so read the pairs ourselves.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&body).map_err(|_| AppError::invalid("表单内容无效"))?;
    let prefs = notify::prefs::parse_form(&pairs)?;
    let (id, saving) = (user.id, prefs.clone());
    let has_email = state
        .db
        .run(move |conn| {
            notify::prefs::save(conn, id, &saving)?;
            Ok(service::profile(conn, id)?.email.is_some())
        })
        .await?;
    if is_htmx(&req) {
        return render(&MessageSettingsForm {
            form: MessageSettings { csrf: page.csrf, prefs, has_email, saved: true },
        });
    }
    session::flash(&session, "success", "通知设置已保存");
    Ok(see_other(&req, "/me/messages/settings"))
}
