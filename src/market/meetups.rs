//! Meetup points: the admin keeps a list of safe places to meet (library gate, canteen, dorm
//! gates), each ideally a point of the campus map; the seller offers some of them with a time on
//! an item; the buyer picks one in the chat; both see it on the item.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::models::ON;
use crate::db::schema::{
    campus_pois, chat_messages, chat_threads, second_hand_meetup_points as points, second_hand_meetups as meetups,
    users,
};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{RequirePerm, need, render, see_other, session};

/// Offers a seller may have open on one item.
pub const MAX_OFFERS: i64 = 6;

#[derive(Clone, Debug)]
pub struct Point {
    pub id: i64,
    pub name: String,
    pub poi_id: Option<i64>,
    pub poi_name: Option<String>,
    pub active: bool,
}

/// A place and time offered for an item.
#[derive(Clone, Debug)]
pub struct Offer {
    pub id: i64,
    pub place: String,
    pub poi_id: Option<i64>,
    pub meet_at: NaiveDateTime,
}

impl Offer {
    pub fn label(&self) -> String {
        format!("{} · {}", self.place, super::trade::fmt_time(self.meet_at))
    }

    pub fn map_link(&self) -> Option<String> {
        self.poi_id.map(|id| format!("/campus/map?poi={id}"))
    }
}

/// (id, name, map point, map point's name, active)
type PointRow = (i64, String, Option<i64>, Option<String>, bool);

pub fn points(conn: &mut DbConn, only_active: bool) -> AppResult<Vec<Point>> {
    let mut q = points::table
        .left_join(campus_pois::table)
        .order(points::id)
        .select((points::id, points::name, points::poi_id, campus_pois::name.nullable(), points::active))
        .into_boxed();
    if only_active {
        q = q.filter(points::active.eq(true));
    }
    let rows: Vec<PointRow> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, poi_id, poi_name, active)| Point { id, name, poi_id, poi_name, active })
        .collect())
}

pub fn add_point(conn: &mut DbConn, name: &str, poi_id: Option<i64>) -> AppResult<i64> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(AppError::invalid("见面点名称需为 1–30 个字"));
    }
    if let Some(poi) = poi_id {
        let n: i64 = campus_pois::table.filter(campus_pois::id.eq(poi)).count().get_result(conn)?;
        if n == 0 {
            return Err(AppError::invalid("所选地图地点不存在"));
        }
    }
    Ok(crate::on_backend!(conn, |c| diesel::insert_into(points::table)
        .values((
            points::name.eq(name),
            points::poi_id.eq(poi_id),
            points::active.eq(true),
            points::created_at.eq(db::now())
        ))
        .returning(points::id)
        .get_result(c))?)
}

pub fn set_point_active(conn: &mut DbConn, id: i64, active: bool) -> AppResult<()> {
    if diesel::update(points::table.find(id)).set(points::active.eq(active)).execute(conn)? != 1 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The offers of an item, soonest first.
pub fn offers(conn: &mut DbConn, item_id: i64) -> AppResult<Vec<Offer>> {
    let rows: Vec<(i64, String, Option<i64>, NaiveDateTime)> = meetups::table
        .inner_join(points::table)
        .filter(meetups::item_id.eq(item_id))
        .order((meetups::meet_at, meetups::id))
        .select((meetups::id, points::name, points::poi_id, meetups::meet_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, place, poi_id, meet_at)| Offer { id, place, poi_id, meet_at }).collect())
}

/// Who picked which offer on an item: the seller sees every buyer's, a buyer their own.
pub fn picked(conn: &mut DbConn, item_id: i64, viewer: i64) -> AppResult<Vec<(String, i64)>> {
    Ok(chat_threads::table
        .inner_join(users::table.on(users::id.eq(chat_threads::buyer_id)))
        .filter(chat_threads::item_id.eq(item_id))
        .filter(chat_threads::buyer_id.eq(viewer).or(chat_threads::seller_id.eq(viewer)))
        .filter(chat_threads::meetup_id.is_not_null())
        .select((users::nickname, chat_threads::meetup_id.assume_not_null()))
        .load(conn)?)
}

pub fn offer(conn: &mut DbConn, item_id: i64, seller: i64, point_id: i64, meet_at: NaiveDateTime) -> AppResult<()> {
    let (item, _) = super::queries::item(conn, item_id)?.ok_or(AppError::NotFound)?;
    if item.seller_id != seller {
        return Err(AppError::NotFound);
    }
    if item.status != ON {
        return Err(AppError::conflict("商品已不在售，不能再约见面"));
    }
    let active: i64 =
        points::table.filter(points::id.eq(point_id)).filter(points::active.eq(true)).count().get_result(conn)?;
    if active == 0 {
        return Err(AppError::invalid("请从管理员公布的安全见面点中选择"));
    }
    if meet_at <= db::now() {
        return Err(AppError::invalid("见面时间需在现在之后"));
    }
    let n: i64 = meetups::table.filter(meetups::item_id.eq(item_id)).count().get_result(conn)?;
    if n >= MAX_OFFERS {
        return Err(AppError::conflict(format!("每件商品最多提供 {MAX_OFFERS} 个见面时间地点")));
    }
    diesel::insert_into(meetups::table)
        .values((
            meetups::item_id.eq(item_id),
            meetups::point_id.eq(point_id),
            meetups::meet_at.eq(meet_at),
            meetups::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn withdraw(conn: &mut DbConn, item_id: i64, seller: i64, offer_id: i64) -> AppResult<()> {
    let (item, _) = super::queries::item(conn, item_id)?.ok_or(AppError::NotFound)?;
    if item.seller_id != seller {
        return Err(AppError::NotFound);
    }
    write_tx(conn, |conn| {
        diesel::update(chat_threads::table.filter(chat_threads::meetup_id.eq(offer_id)))
            .set(chat_threads::meetup_id.eq(None::<i64>))
            .execute(conn)?;
        let n = diesel::delete(meetups::table.filter(meetups::id.eq(offer_id)).filter(meetups::item_id.eq(item_id)))
            .execute(conn)?;
        if n != 1 {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
}

/// The buyer picks one of the seller's offers in their thread; the chat records it.
pub fn pick(conn: &mut DbConn, thread_id: i64, buyer: i64, offer_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let c = super::service::conversation(conn, thread_id, buyer)?;
        if c.thread.buyer_id != buyer {
            return Err(AppError::invalid("见面时间地点由买家从卖家提供的选项中选择"));
        }
        if c.thread.closed_at.is_some() {
            return Err(AppError::conflict("这个会话已关闭"));
        }
        let Some(chosen) = offers(conn, c.thread.item_id)?.into_iter().find(|o| o.id == offer_id) else {
            return Err(AppError::invalid("请从卖家提供的见面时间地点中选择"));
        };
        diesel::update(chat_threads::table.find(thread_id))
            .set((chat_threads::meetup_id.eq(Some(offer_id)), chat_threads::updated_at.eq(db::now())))
            .execute(conn)?;
        let body = format!("我选择了见面：{}", chosen.label());
        diesel::insert_into(chat_messages::table)
            .values((
                chat_messages::thread_id.eq(thread_id),
                chat_messages::sender_id.eq(buyer),
                chat_messages::body.eq(&body),
                chat_messages::created_at.eq(db::now()),
            ))
            .execute(conn)?;
        notify::send(
            conn,
            c.thread.seller_id,
            MessageKind::System,
            &format!("二手「{}」买家选好了见面", c.item.item.title),
            &body,
            Some(&format!("/mall/second-hand/threads/{thread_id}")),
        )
    })
}

#[derive(Deserialize)]
pub struct OfferForm {
    #[serde(default)]
    point_id: String,
    #[serde(default)]
    meet_at: String,
}

pub async fn post_offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<OfferForm>,
) -> AppResult<HttpResponse> {
    let point: i64 = form.point_id.trim().parse().map_err(|_| AppError::invalid("请选择见面地点"))?;
    let at = crate::web::forms::parse_local(&form.meet_at).ok_or(AppError::invalid("请填写见面时间"))?;
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| offer(conn, id, uid, point, at)).await?;
    session::flash(&session, "success", "已添加见面时间地点");
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

pub async fn delete_offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let ((id, offer_id), uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| withdraw(conn, id, uid, offer_id)).await?;
    Ok(see_other(&req, &format!("/mall/second-hand/{id}")))
}

#[derive(Deserialize)]
pub struct PickForm {
    #[serde(default)]
    meetup_id: String,
}

pub async fn post_pick(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<PickForm>,
) -> AppResult<HttpResponse> {
    let offer_id: i64 = form.meetup_id.trim().parse().map_err(|_| AppError::invalid("请选择见面时间地点"))?;
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| pick(conn, id, uid, offer_id)).await?;
    Ok(see_other(&req, &format!("/mall/second-hand/threads/{id}")))
}

#[derive(Template)]
#[template(path = "admin/meetup_points.html")]
pub struct PointsView {
    pub page: Page,
    pub points: Vec<Point>,
    pub pois: Vec<(i64, String)>,
}

pub async fn admin_points(
    state: web::Data<AppState>,
    _admin: RequirePerm<need::SecondHand>,
    page: Page,
) -> AppResult<HttpResponse> {
    let (points, pois) = state
        .db
        .run(|conn| {
            let pois: Vec<(i64, String)> = campus_pois::table
                .filter(campus_pois::active.eq(true))
                .order(campus_pois::name)
                .select((campus_pois::id, campus_pois::name))
                .load(conn)?;
            Ok((points(conn, false)?, pois))
        })
        .await?;
    render(&PointsView { page, points, pois })
}

#[derive(Deserialize)]
pub struct PointForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    poi_id: String,
}

pub async fn admin_add_point(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    _admin: RequirePerm<need::SecondHand>,
    form: web::Form<PointForm>,
) -> AppResult<HttpResponse> {
    let poi = match form.poi_id.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| AppError::invalid("所选地图地点不存在"))?),
    };
    let name = form.name.clone();
    state.db.run(move |conn| add_point(conn, &name, poi)).await?;
    session::flash(&session, "success", "已添加见面点");
    Ok(see_other(&req, "/admin/second-hand/meetup-points"))
}

pub async fn admin_toggle_point(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: RequirePerm<need::SecondHand>,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, action) = path.into_inner();
    let active = match action.as_str() {
        "enable" => true,
        "disable" => false,
        _ => return Err(AppError::NotFound),
    };
    state.db.run(move |conn| set_point_active(conn, id, active)).await?;
    Ok(see_other(&req, "/admin/second-hand/meetup-points"))
}
