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
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

#[derive(Template)]
#[template(path = "admin/refunds.html")]
pub struct RefundsView {
    pub page: Page,
    pub refunds: Vec<StuckRefund>,
}

pub async fn show(state: web::Data<AppState>, _a: RequirePerm<need::Refunds>, page: Page) -> AppResult<HttpResponse> {
    let refunds = state.db.run(mall::stuck_refunds).await?;
    render(&RefundsView { page, refunds })
}

/// What an admin does with a refund that needs a person.
#[derive(Clone, Copy)]
enum Settle {
    /// Back to the job queue, same `out_refund_no`.
    Retry,
    /// The money went back outside WeChat Pay.
    Offline,
}

/// `POST /admin/refunds/{id}/retry`.
pub async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Refunds>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    settle(req, state, session, a, path.into_inner(), Settle::Retry).await
}

/// `POST /admin/refunds/{id}/offline`.
pub async fn mark_offline(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Refunds>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    settle(req, state, session, a, path.into_inner(), Settle::Offline).await
}

async fn settle(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequirePerm<need::Refunds>,
    id: i64,
    how: Settle,
) -> AppResult<HttpResponse> {
    let (admin, ip) = (a.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let (refund, action) = match how {
                    Settle::Retry => (crate::pay::service::retry_refund(conn, id)?, "refund.retry"),
                    Settle::Offline => (mall::refund_offline(conn, id, admin)?, "refund.offline"),
                };
                record(conn, admin, action, &refund, &ip)
            })
        })
        .await?;
    let done = match how {
        Settle::Retry => "已重新发起退款，退款处理中",
        Settle::Offline => "已记为线下退款",
    };
    session::flash(&session, "success", done);
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
