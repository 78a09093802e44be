//! The admin's side of merchants (`/admin/merchants`): reviewing applications, suspending and
//! resuming shops.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppResult;
use crate::merchant::service;
use crate::merchant::views::AdminMerchantsView;
use crate::state::AppState;
use crate::web::forms::ReasonForm;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

pub async fn admin_merchants(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Merchants>,
    page: Page,
) -> AppResult<HttpResponse> {
    let keys = state.keys.clone();
    let (applications, shops) =
        state.db.run(move |conn| Ok((service::pending_applications(conn, &keys)?, service::shops(conn)?))).await?;
    render(&AdminMerchantsView { page, applications, shops })
}

pub async fn admin_approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Merchants>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state.db.run(move |conn| service::approve(conn, id, admin, &ip)).await?;
    session::flash(&session, "success", "已通过，店铺已开通");
    Ok(see_other(&req, "/admin/merchants"))
}

pub async fn admin_reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Merchants>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state.db.run(move |conn| service::reject(conn, id, admin, &why, &ip)).await?;
    session::flash(&session, "success", "已驳回申请");
    Ok(see_other(&req, "/admin/merchants"))
}

async fn suspend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Merchants>,
    id: i64,
    suspended: bool,
) -> AppResult<HttpResponse> {
    let (admin, ip) = (a.0.id, client_ip(&req));
    state.db.run(move |conn| service::set_suspended(conn, id, suspended, admin, &ip)).await?;
    session::flash(&session, "success", if suspended { "店铺已暂停营业" } else { "店铺已恢复营业" });
    Ok(see_other(&req, "/admin/merchants"))
}

pub async fn admin_suspend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Merchants>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    suspend(req, state, session, a, path.into_inner(), true).await
}

pub async fn admin_resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Merchants>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    suspend(req, state, session, a, path.into_inner(), false).await
}
