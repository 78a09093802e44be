//! The student's side: `/academic/classrooms` (free rooms in a slot, and the request form on
//! each), `/academic/bookings` (my requests) and cancelling one.

use actix_session::SessionExt;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDateTime, TimeDelta};
use serde::Deserialize;

use super::service::{self, Request, Slot};
use super::views::{BookingsView, FinderView};
use super::{queries, service::DAYS_AHEAD};
use crate::db;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{render, see_other, session};

#[derive(Deserialize, Default)]
pub struct FinderQuery {
    pub building: Option<String>,
    pub date: Option<String>,
    pub from: Option<i32>,
    pub to: Option<i32>,
}

/// The slot the finder opens on: the next two periods that have not begun, today or tomorrow.
fn next_slot(periods: &[crate::academic::models::Period], now: NaiveDateTime) -> (String, i32, i32) {
    let local = crate::web::time::local(now);
    let next = periods.iter().find(|p| p.starts_at > local.time()).map(|p| p.number);
    match next {
        Some(n) => (local.date_naive().to_string(), n, (n + 1).min(12)),
        None => ((local.date_naive() + TimeDelta::days(1)).to_string(), 1, 2),
    }
}

/// `GET /academic/classrooms?building=&date=&from=&to=`.
pub async fn show_finder(
    state: web::Data<AppState>,
    _user: CurrentUser,
    page: Page,
    query: web::Query<FinderQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let now = db::now();
    let (buildings, building, slot, periods, rooms) = state
        .db
        .run(move |conn| {
            let buildings = queries::buildings(conn)?;
            let periods = crate::academic::queries::periods(conn)?;
            let (day, from, to) = match (q.date, q.from, q.to) {
                (Some(d), Some(f), Some(t)) => (d, f, t),
                _ => next_slot(&periods, now),
            };
            let building = q.building.filter(|b| buildings.contains(b));
            let slot = Slot::parse(conn, &day, from, to, now)?;
            let rooms = service::free_rooms(conn, building.as_deref(), &slot)?;
            let periods: Vec<i32> = periods.iter().map(|p| p.number).collect();
            Ok((buildings, building, slot, periods, rooms))
        })
        .await?;
    let today = crate::web::time::date(now);
    render(&FinderView {
        page,
        buildings,
        building,
        slot,
        periods,
        min_date: today.to_string(),
        max_date: (today + TimeDelta::days(DAYS_AHEAD)).to_string(),
        rooms,
    })
}

#[derive(Deserialize)]
pub struct BookForm {
    pub classroom_id: i64,
    pub date: String,
    pub from: i32,
    pub to: i32,
    pub purpose: String,
    pub attendees: String,
}

/// `POST /academic/bookings`: a request for one room in one slot; it waits for an admin.
pub async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<BookForm>,
) -> AppResult<HttpResponse> {
    let f = form.into_inner();
    let attendees = f
        .attendees
        .trim()
        .parse::<i32>()
        .map_err(|_| crate::error::AppError::invalid("请填写参加人数（整数）"))?;
    let uid = user.id;
    let now = db::now();
    state
        .db
        .run(move |conn| {
            let slot = Slot::parse(conn, &f.date, f.from, f.to, now)?;
            let r = Request { room: f.classroom_id, slot, purpose: f.purpose, attendees };
            service::request(conn, uid, &r, now)
        })
        .await?;
    session::flash(&req.get_session(), "success", "申请已提交，管理员审批后会通知你");
    Ok(see_other(&req, "/academic/bookings"))
}

/// `GET /academic/bookings`: the user's requests and their answers.
pub async fn show_mine(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let now = db::now();
    let bookings = state.db.run(move |conn| queries::of_user(conn, uid)).await?;
    render(&BookingsView { page, bookings, today: crate::web::time::date(now) })
}

/// `POST /academic/bookings/{id}/cancel`: the user's own; anyone else's is not found.
pub async fn cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, id) = (user.id, path.into_inner());
    state.db.run(move |conn| service::cancel(conn, uid, id, db::now())).await?;
    session::flash(&req.get_session(), "success", "已取消预约");
    Ok(see_other(&req, "/academic/bookings"))
}
