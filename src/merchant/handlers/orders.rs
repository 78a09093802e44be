//! The shop's orders: the list and an order's page, shipping, and answering refund requests.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::shop_of;
use crate::db::write_tx;
use crate::error::{AppError, AppResult};
use crate::mall::service::Shipping;
use crate::merchant::service::{self, ShopLog};
use crate::merchant::views::{OrderView, OrdersView};
use crate::state::AppState;
use crate::web::forms::ReasonForm;
use crate::web::page::{Page, RequireMerchant};
use crate::web::{client_ip, render, see_other, session};

#[derive(Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
}

pub async fn list_orders(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    q: web::Query<TabQuery>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let tab = q.tab.clone().filter(|t| crate::mall::service::tab_statuses(t).is_some()).unwrap_or_else(|| "all".into());
    let t = tab.clone();
    let orders = state.db.run(move |conn| service::orders(conn, shop, &t)).await?;
    render(&OrdersView { page, tab, orders })
}

pub async fn show_order(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let no = path.into_inner();
    let p = state.db.run(move |conn| service::order(conn, shop, &no)).await?;
    let receiver = p.summary.order.receiver(&state.keys);
    render(&OrderView { page, p, receiver })
}

#[derive(Deserialize)]
pub struct ShipForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    courier: String,
    #[serde(default)]
    tracking_no: String,
}

pub async fn ship_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<String>,
    form: web::Form<ShipForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let shipping = match form.method.as_str() {
        "pickup" => Shipping::Pickup,
        "courier" => {
            let (courier, tracking) = (form.courier.trim(), form.tracking_no.trim());
            if courier.is_empty() || courier.chars().count() > 20 {
                return Err(AppError::invalid("请填写快递公司"));
            }
            if tracking.is_empty()
                || tracking.len() > 40
                || !tracking.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(AppError::invalid("请填写正确的快递单号"));
            }
            Shipping::Courier { courier: courier.into(), tracking_no: tracking.into() }
        }
        _ => return Err(AppError::invalid("请选择发货方式")),
    };
    let (no, actor, auto, ip) = (path.into_inner(), m.0.id, state.config.auto_complete, client_ip(&req));
    let n = no.clone();
    state.db.run(move |conn| service::ship(conn, ShopLog { shop, actor, ip: &ip }, &n, shipping, auto)).await?;
    session::flash(&session, "success", "已发货");
    Ok(see_other(&req, &format!("/merchant/orders/{no}")))
}

pub async fn approve_refund(
    req: HttpRequest,
    state: web::Data<AppState>,
    pay: web::Data<crate::pay::State>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let id = path.into_inner();
    state.db.run(move |conn| service::own_refund(conn, shop, id)).await?;
    let done = match crate::pay::service::refund(&pay, id).await? {
        crate::pay::service::Approval::Refunded => "已同意退款，款项已退回",
        crate::pay::service::Approval::Processing => "已同意退款，退款处理中",
    };
    let (actor, ip) = (m.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| service::log_refund_decision(conn, ShopLog { shop, actor, ip: &ip }, id, true, ""))
        .await?;
    session::flash(&session, "success", done);
    Ok(see_other(&req, "/merchant/orders?tab=refund"))
}

pub async fn reject_refund(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let why = form.reason()?;
    let (id, actor, ip) = (path.into_inner(), m.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            service::own_refund(conn, shop, id)?;
            write_tx(conn, |conn| {
                crate::mall::service::reject_refund(conn, id, Some(actor), &why)?;
                service::log_refund_decision(conn, ShopLog { shop, actor, ip: &ip }, id, false, &why)
            })
        })
        .await?;
    session::flash(&session, "success", "已拒绝退款");
    Ok(see_other(&req, "/merchant/orders?tab=refund"))
}
