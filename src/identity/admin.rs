//! `/admin/verifications`: the queue of student-card photos (approve, or reject with a reason; the
//! photo is deleted once decided) and removing a verification (解除认证), all audit-logged.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::models::SchoolNo;
use super::service;
use super::views::QueuePage;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::Page;
use crate::web::storage::Area;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

/// `GET /admin/verifications`.
pub async fn show_queue(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Verifications>,
    page: Page,
) -> AppResult<HttpResponse> {
    let lines = state.db.run(service::queue).await?;
    render(&QueuePage { page, lines })
}

/// `GET /admin/verifications/{id}/photo`: the waiting photo, for admins only, never cached.
pub async fn show_photo(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Verifications>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let review = state.db.run(move |conn| Ok(super::queries::review(conn, id)?)).await?.ok_or(AppError::NotFound)?;
    let file = review.photo_file.filter(|f| !f.contains('/') && !f.contains("..")).ok_or(AppError::NotFound)?;
    let rel = format!("{}/{file}", super::PHOTO_FOLDER);
    let data = state.media.get(Area::Private, &rel).await?.ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("image/jpeg")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(data))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/verifications/{id}/approve`.
pub async fn approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Verifications>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    decide(req, state, session, a, id.into_inner(), true, String::new()).await
}

/// `POST /admin/verifications/{id}/reject` with `reason`.
pub async fn reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Verifications>,
    id: web::Path<i64>,
    form: web::Form<DecisionForm>,
) -> AppResult<HttpResponse> {
    decide(req, state, session, a, id.into_inner(), false, form.into_inner().reason).await
}

async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Verifications>,
    id: i64,
    approve: bool,
    reason: String,
) -> AppResult<HttpResponse> {
    let (admin, ip) = (a.0.id, client_ip(&req));
    let photo = state.db.run(move |conn| service::decide(conn, admin, id, approve, &reason, &ip)).await?;
    if let Some(file) = photo {
        let storage = state.media.clone();
        web::block(move || super::delete_photos(&storage, &[file])).await?;
    }
    session::flash(&session, "success", if approve { "已通过认证" } else { "已驳回，并通知了申请人" });
    Ok(see_other(&req, "/admin/verifications"))
}

#[derive(Deserialize)]
pub struct UnverifyForm {
    #[serde(default)]
    school_no: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/verifications/unverify`: removes the verification of the account holding a school
/// number, so the number is free to be bound to another account (换绑).
pub async fn unverify(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Verifications>,
    form: web::Form<UnverifyForm>,
) -> AppResult<HttpResponse> {
    let UnverifyForm { school_no, reason } = form.into_inner();
    let no = SchoolNo::parse(&school_no).map_err(AppError::Invalid)?;
    let (admin, ip) = (a.0.id, client_ip(&req));
    let done = state
        .db
        .run(move |conn| {
            let user_id = service::holder(conn, &no)?;
            service::unverify(conn, admin, user_id, &reason, &ip)
        })
        .await?;
    session::flash(&session, "success", format!("已解除学号 {done} 的认证"));
    Ok(see_other(&req, "/admin/verifications"))
}
