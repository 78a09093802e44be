//! The admin's side: `/admin/academic/bookings`, the requests waiting for a decision and the
//! latest decisions; approve, or reject with a reason. Both are audit-logged.

use actix_session::SessionExt;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::queries;
use super::service;
use super::views::AdminBookingsView;
use crate::audit;
use crate::db;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

/// `GET /admin/academic/bookings`.
pub async fn show(
    state: web::Data<AppState>,
    _admin: RequirePerm<need::ClassroomBookings>,
    page: Page,
) -> AppResult<HttpResponse> {
    let (pending, decided) = state.db.run(|conn| Ok((queries::pending(conn)?, queries::decided(conn)?))).await?;
    render(&AdminBookingsView { page, pending, decided })
}

/// `POST /admin/academic/bookings/{id}/approve`.
pub async fn approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: RequirePerm<need::ClassroomBookings>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (actor, id, ip) = (admin.0.id, path.into_inner(), client_ip(&req));
    state
        .db
        .run(move |conn| {
            let b = service::approve(conn, actor, id, db::now())?;
            let detail = serde_json::json!({ "room": b.classroom_id, "date": b.on_date, "periods": b.periods() });
            audit::record(
                conn,
                Some(actor),
                "booking.approve",
                "classroom_booking",
                Some(&id.to_string()),
                &detail.to_string(),
                Some(&ip),
            )
        })
        .await?;
    session::flash(&req.get_session(), "success", "已批准，申请人会收到通知");
    Ok(see_other(&req, "/admin/academic/bookings"))
}

#[derive(Deserialize)]
pub struct RejectForm {
    pub reason: String,
}

/// `POST /admin/academic/bookings/{id}/reject` with a reason.
pub async fn reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: RequirePerm<need::ClassroomBookings>,
    path: web::Path<i64>,
    form: web::Form<RejectForm>,
) -> AppResult<HttpResponse> {
    let (actor, id, ip) = (admin.0.id, path.into_inner(), client_ip(&req));
    let reason = form.into_inner().reason;
    state
        .db
        .run(move |conn| {
            let b = service::reject(conn, actor, id, &reason, db::now())?;
            let detail = serde_json::json!({ "room": b.classroom_id, "date": b.on_date, "reason": reason.trim() });
            audit::record(
                conn,
                Some(actor),
                "booking.reject",
                "classroom_booking",
                Some(&id.to_string()),
                &detail.to_string(),
                Some(&ip),
            )
        })
        .await?;
    session::flash(&req.get_session(), "success", "已驳回，申请人会收到理由");
    Ok(see_other(&req, "/admin/academic/bookings"))
}
