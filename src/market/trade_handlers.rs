//! Pages of a trade: the buyer's reservation (with the handover code and its QR), the seller's
//! handover form, ratings, and a seller's standing.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::trade::{self, Handover};
use super::views::{HandoverView, ReserveView, SellerView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, MaybeUser, Page};
use crate::web::{render, see_other, session};

pub async fn show_reservation(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let listed = state.db.run(move |conn| super::service::item(conn, id, Some(uid))).await?;
    let item = &listed.item;
    // Only the buyer holding the reservation sees its code.
    let Some(code) = item.handover_code.clone().filter(|_| item.reserved_by == Some(uid) && item.status == "on") else {
        return Err(AppError::NotFound);
    };
    let info = req.connection_info();
    let link = format!("{}://{}/mall/second-hand/{id}/handover?code={code}", info.scheme(), info.host());
    let qr_svg = crate::web::qr::svg(&link)?;
    render(&ReserveView { page, listed, code, qr_svg })
}

pub async fn reserve(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| trade::reserve(conn, id, uid)).await?;
    session::flash(&session, "success", "预订成功，见面时向卖家出示交接码");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}/reserve")))
}

pub async fn cancel_reservation(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| trade::cancel(conn, id, uid)).await?;
    session::flash(&session, "success", "预订已取消");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

pub async fn show_handover(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<CodeQuery>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (listed, buyer) = state
        .db
        .run(move |conn| {
            let listed = super::service::item(conn, id, Some(uid))?;
            if listed.item.seller_id != uid {
                return Err(AppError::NotFound);
            }
            let buyer = match listed.item.reserved_by {
                Some(b) => Some(trade::nickname(conn, b)?),
                None => None,
            };
            Ok((listed, buyer))
        })
        .await?;
    let code: String = q.code.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).take(6).collect();
    render(&HandoverView { page, listed, buyer, code })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn handover(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<CodeForm>,
) -> AppResult<HttpResponse> {
    let code = form.code.trim().to_string();
    if !(4..=6).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid("请输入买家出示的 4–6 位数字交接码"));
    }
    let (id, uid) = (path.into_inner(), user.id);
    match state.db.run(move |conn| trade::handover(conn, id, uid, &code)).await? {
        Handover::Sold => {
            session::flash(&session, "success", "交接完成，商品已售出给该买家");
            Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
        }
        Handover::Wrong(left) => Err(AppError::invalid(format!("交接码不正确，还可以再试 {left} 次"))),
        Handover::Locked => Err(AppError::conflict("交接码输错次数过多，为安全起见预订已取消，请买家重新预订")),
    }
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    note: String,
}

pub async fn rate(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<RateForm>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    let (score, note) = (form.score.trim().to_string(), form.note.trim().to_string());
    let words = state.words.clone();
    state
        .db
        .run(move |conn| {
            if !note.is_empty() {
                crate::moderation::screen(&words, conn, &note, "评价")?;
            }
            trade::rate(conn, id, uid, &score, &note)
        })
        .await?;
    session::flash(&session, "success", "评价已提交");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn show_seller(
    state: web::Data<AppState>,
    _user: MaybeUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let standing = state.db.run(move |conn| trade::standing(conn, id)).await?;
    render(&SellerView { page, standing })
}

#[derive(Deserialize)]
pub struct FavouriteForm {
    #[serde(default)]
    on: String,
}

pub async fn favourite(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<FavouriteForm>,
) -> AppResult<HttpResponse> {
    let (id, uid, on) = (path.into_inner(), user.id, form.on != "0");
    state.db.run(move |conn| super::favourites::set(conn, id, uid, on)).await?;
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

#[derive(Deserialize)]
pub struct PriceForm {
    #[serde(default)]
    price: String,
}

pub async fn change_price(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<PriceForm>,
) -> AppResult<HttpResponse> {
    let cents = crate::mall::models::parse_yuan(&form.price).map_err(AppError::invalid)?;
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| super::favourites::change_price(conn, id, uid, cents)).await?;
    session::flash(&session, "success", "价格已更新");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn renew(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| super::expiry::renew(conn, id, uid)).await?;
    session::flash(&session, "success", "已续期 30 天");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}
