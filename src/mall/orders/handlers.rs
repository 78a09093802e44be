//! The student's order list and order page, cancel and confirm, the payment-status poll, and
//! the mock cashier used in development.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service;
use crate::error::{AppError, AppResult};
use crate::mall::catalog;
use crate::mall::models::OrderStatus;
use crate::mall::views::{MockCashier, OrderView, OrdersView};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{render, see_other, session};

#[derive(Deserialize)]
pub struct OrdersQuery {
    tab: Option<String>,
    page: Option<String>,
}

pub async fn list_orders(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<OrdersQuery>,
) -> AppResult<HttpResponse> {
    let tab = q.tab.clone().filter(|t| service::tab_statuses(t).is_some()).unwrap_or_else(|| "all".into());
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=1000).contains(p)).unwrap_or(1);
    let (uid, t) = (user.id, tab.clone());
    let orders = state.db.run(move |conn| service::orders_of(conn, uid, &t, page_no)).await?;
    let has_more = orders.len() as i64 == catalog::service::PAGE_SIZE;
    render(&OrdersView { page, tab, orders, page_no, has_more })
}

pub async fn show_order(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let data = state.db.run(move |conn| service::order_page(conn, uid, &no)).await?;
    let pay_url = format!("/pay/mock/{}", data.summary.order.order_no);
    let receiver = data.summary.order.receiver(&state.keys);
    render(&OrderView { page, summary: data.summary, events: data.events, refunds: data.refunds, pay_url, receiver })
}

pub async fn cancel_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    state.db.run(move |conn| service::cancel_own_order(conn, uid, &n)).await?;
    session::flash(&session, "success", "订单已取消");
    Ok(see_other(&req, &format!("/mall/orders/{no}")))
}

pub async fn confirm_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    state.db.run(move |conn| service::confirm_receipt(conn, uid, &n)).await?;
    session::flash(&session, "success", "已确认收货，交易完成");
    Ok(see_other(&req, &format!("/mall/orders/{no}")))
}

fn mock_enabled(state: &AppState) -> AppResult<()> {
    if state.config.pay_provider == "mock" { Ok(()) } else { Err(AppError::NotFound) }
}

pub async fn show_mock_cashier(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    mock_enabled(&state)?;
    let (uid, no) = (user.id, path.into_inner());
    let data = state.db.run(move |conn| service::order_page(conn, uid, &no)).await?;
    let order = &data.summary.order;
    if !order.is(OrderStatus::Pending) {
        return Err(AppError::conflict(format!("订单当前为「{}」，无需支付", order.status_label())));
    }
    render(&MockCashier {
        page,
        order_no: order.order_no.clone(),
        amount_cents: order.pay_cents,
        shop_name: data.summary.shop_name.clone(),
    })
}

#[derive(Deserialize)]
pub struct MockPayForm {
    #[serde(default)]
    action: String,
}

pub async fn submit_mock_payment(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
    form: web::Form<MockPayForm>,
) -> AppResult<HttpResponse> {
    mock_enabled(&state)?;
    let (uid, no) = (user.id, path.into_inner());
    let order_url = format!("/mall/orders/{no}");
    if form.action != "pay" {
        session::flash(&session, "info", "已取消支付，可在 30 分钟内继续支付");
        return Ok(see_other(&req, &order_url));
    }
    state
        .db
        .run(move |conn| {
            let order = service::own_order(conn, uid, &no)?;
            service::mark_paid(conn, &no, "mock", &format!("MOCK{no}"), order.pay_cents)
        })
        .await?;
    session::flash(&session, "success", "支付成功");
    Ok(see_other(&req, &order_url))
}
