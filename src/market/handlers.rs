use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::{Condition, NewItem, ON};
use super::service;
use super::views::{AdminView, ItemValues, ItemView, ListView, NewItemView, ThreadView};
use super::{favourites, listing, meetups, trade};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::forms::ReasonForm;
use crate::web::media;
use crate::web::page::{CurrentUser, MaybeUser, Page};
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    condition: Option<String>,
    page: Option<String>,
}

pub async fn list_items(
    state: web::Data<AppState>,
    user: MaybeUser,
    page: Page,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let condition = q.condition.clone().filter(|c| Condition::parse(c).is_some()).unwrap_or_default();
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=500).contains(p)).unwrap_or(1);
    let (t, c, uid) = (text.clone(), condition.clone(), user.0.as_ref().map(|u| u.id));
    let (items, mine) = state
        .db
        .run(move |conn| {
            let items = service::list(conn, &t, (!c.is_empty()).then_some(c.as_str()), page_no)?;
            let mine = match uid {
                Some(id) => service::mine(conn, id)?,
                None => Vec::new(),
            };
            Ok((items, mine))
        })
        .await?;
    let has_more = items.len() as i64 == service::PAGE_SIZE;
    render(&ListView { page, q: text, condition, items, mine, page_no, has_more })
}

#[derive(Deserialize)]
pub struct NewQuery {
    /// Prefilled from a wanted post the seller answers.
    title: Option<String>,
}

pub async fn show_new_item(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<NewQuery>,
) -> AppResult<HttpResponse> {
    let id = user.id;
    state.db.run(move |conn| service::ensure_can_sell(conn, id)).await?;
    let title = q.title.as_deref().unwrap_or("").chars().take(40).collect();
    render(&NewItemView { page, values: ItemValues { title, ..ItemValues::default() }, error: None })
}

/// `POST /mall/second-hand/new` (multipart, the CSRF token in the query string).
pub async fn post_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    state.db.run(move |conn| service::ensure_can_sell(conn, uid)).await?;
    let form = media::read_form(form, 3, state.config.upload_max_bytes).await?;
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let values = ItemValues {
        title: clip(form.text("title"), 60),
        description: clip(form.text("description"), 1100),
        price: clip(form.text("price"), 20),
        condition: clip(form.text("condition"), 20),
        pickup_place: clip(form.text("pickup_place"), 60),
        category: clip(form.text("category"), 20),
        reserve_hours: clip(form.text("reserve_hours"), 4),
    };
    let parsed = NewItem::parse(
        form.text("title"),
        form.text("description"),
        form.text("price"),
        form.text("condition"),
        form.text("pickup_place"),
    )
    .and_then(|item| item.with_options(form.text("category"), form.text("reserve_hours")));
    let item = match parsed {
        Ok(item) => item,
        Err(message) => {
            let body = NewItemView { page, values, error: Some(message) }.render()?;
            return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(body));
        }
    };
    let files: Vec<Vec<u8>> =
        form.files.into_iter().filter(|(name, _)| name == "images").map(|(_, data)| data).collect();
    let id = match listing::publish(&state, uid, item, files).await {
        Ok(id) => id,
        Err(AppError::Invalid(message)) => {
            let body = NewItemView { page, values, error: Some(message) }.render()?;
            return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(body));
        }
        Err(e) => return Err(e),
    };
    session::flash(&session, "success", "发布成功");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn show_item(
    state: web::Data<AppState>,
    user: MaybeUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, viewer) = (path.into_inner(), user.0.as_ref().map(|u| u.id));
    let view = state
        .db
        .run(move |conn| {
            let listed = service::item(conn, id, viewer)?;
            let is_seller = viewer == Some(listed.item.seller_id);
            // Only the seller learns why the platform took the item down.
            let removed_reason = if is_seller { service::removal_reason(conn, &listed.item)? } else { None };
            let offers = meetups::offers(conn, id)?;
            let picked = match viewer {
                Some(me) if !offers.is_empty() => meetups::picked(conn, id, me)?,
                _ => Vec::new(),
            };
            let points = if is_seller && listed.item.status == ON { meetups::points(conn, true)? } else { Vec::new() };
            let party = viewer.is_some() && (is_seller || listed.item.buyer_id == viewer);
            let may_rate = match viewer {
                Some(me) if party && listed.item.buyer_id.is_some() => !trade::has_rated(conn, id, me)?,
                _ => false,
            };
            let favoured = match viewer {
                Some(me) if !is_seller => favourites::is_favoured(conn, id, me)?,
                _ => false,
            };
            Ok((listed, is_seller, removed_reason, offers, picked, points, may_rate, favoured))
        })
        .await?;
    let (listed, is_seller, removed_reason, offers, picked, points, may_rate, favoured) = view;
    render(&ItemView {
        page,
        listed,
        is_seller,
        removed_reason,
        me: viewer,
        offers,
        picked,
        points,
        may_rate,
        favoured,
    })
}

pub async fn mark_sold(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::mark_sold(conn, id, uid)).await?;
    session::flash(&session, "success", "已标记为售出");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn take_down(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::take_down(conn, id, uid)).await?;
    session::flash(&session, "success", "已下架");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn report_item(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| service::report(conn, id, uid, &why)).await?;
    session::flash(&session, "success", "举报已提交，谢谢你帮助维护社区");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn contact_seller(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let thread = state.db.run(move |conn| service::contact(conn, id, uid)).await?;
    Ok(see_other(&req, &format!("/mall/second-hand/threads/{thread}")))
}

pub async fn show_thread(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (conversation, offers) = state
        .db
        .run(move |conn| {
            let c = service::conversation(conn, id, uid)?;
            let offers = meetups::offers(conn, c.thread.item_id)?;
            Ok((c, offers))
        })
        .await?;
    render(&ThreadView { page, conversation, me: uid, offers })
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
}

pub async fn send_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<MessageForm>,
) -> AppResult<HttpResponse> {
    let body = form.body.trim().to_string();
    if body.is_empty() || body.chars().count() > 500 {
        return Err(AppError::invalid("消息需为 1–500 个字"));
    }
    let (id, uid) = (path.into_inner(), user.id);
    let words = state.words.clone();
    state
        .db
        .run(move |conn| {
            // Between two students: a blocking word refuses the message, review words pass.
            crate::moderation::screen(&words, conn, &body, "消息")?;
            service::send_message(conn, id, uid, &body)
        })
        .await?;
    Ok(see_other(&req, &format!("/mall/second-hand/threads/{id}")))
}

pub async fn admin_list(
    state: web::Data<AppState>,
    _admin: RequirePerm<need::SecondHand>,
    page: Page,
) -> AppResult<HttpResponse> {
    let reported = state.db.run(service::reported).await?;
    render(&AdminView { page, reported })
}

pub async fn admin_remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::SecondHand>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::remove(conn, id, aid, &why, &ip)).await?;
    session::flash(&session, "success", "已下架该商品");
    Ok(see_other(&req, "/admin/second-hand"))
}

pub async fn admin_dismiss(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::SecondHand>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state.db.run(move |conn| service::dismiss_reports(conn, id, aid, &ip)).await?;
    session::flash(&session, "success", "已驳回举报，商品保留");
    Ok(see_other(&req, "/admin/second-hand"))
}

/// Takes the item down and bans its seller (who is logged out at once).
pub async fn admin_ban_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    admin: RequirePerm<need::SecondHand>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, aid, ip) = (path.into_inner(), admin.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            let seller = service::seller_of(conn, id)?;
            service::remove(conn, id, aid, &why, &ip)?;
            crate::auth::bans::set_banned(conn, aid, seller, true, &ip)
        })
        .await?;
    session::flash(&session, "success", "已下架并封禁发布者");
    Ok(see_other(&req, "/admin/second-hand"))
}
