//! Refunds that need a person (`/admin/refunds`): every attempt at WeChat Pay failed, or WeChat
//! Pay reported the refund abnormal. An admin sends it again (the same `out_refund_no`, through
//! the job queue) or records that the money went back offline; both are audit-logged, and a
//! refund already settled answers 409.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::audit;
use crate::db::write_tx;
use crate::error::AppResult;
use crate::mall::models::Refund;
use crate::mall::service::{self as mall, StuckRefund};
use crate::state::AppState;
use crate::web::filters;
use crate::web::page::{Page, RequireAdmin};
use crate::web::{client_ip, render, see_other, session};

#[derive(Template)]
#[template(path = "admin/refunds.html")]
pub struct RefundsView {
    pub page: Page,
    pub refunds: Vec<StuckRefund>,
}

pub async fn show(state: web::Data<AppState>, _a: RequireAdmin, page: Page) -> AppResult<HttpResponse> {
    let refunds = state.db.run(mall::stuck_refunds).await?;
    render(&RefundsView { page, refunds })
}

/// `POST /admin/refunds/{id}/retry`: back to the job queue.
pub async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let refund = crate::pay::service::retry_refund(conn, id)?;
                record(conn, admin, "refund.retry", &refund, &ip)
            })
        })
        .await?;
    session::flash(&session, "success", "已重新发起退款，退款处理中");
    Ok(see_other(&req, "/admin/refunds"))
}

/// `POST /admin/refunds/{id}/offline`: the money went back outside WeChat Pay.
pub async fn mark_offline(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let refund = mall::refund_offline(conn, id, admin)?;
                record(conn, admin, "refund.offline", &refund, &ip)
            })
        })
        .await?;
    session::flash(&session, "success", "已记为线下退款");
    Ok(see_other(&req, "/admin/refunds"))
}

fn record(conn: &mut crate::db::DbConn, admin: i64, action: &str, refund: &Refund, ip: &str) -> AppResult<()> {
    let detail = serde_json::json!({
        "refund_no": refund.refund_no,
        "amount_cents": refund.amount_cents,
        "was": refund.status,
        "attempts": refund.attempts,
    });
    audit::record(conn, Some(admin), action, "refund", Some(&refund.id.to_string()), &detail.to_string(), Some(ip))
}
